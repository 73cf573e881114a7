"""Run the declarations of tests/isolation/cases against every route (see framework.py)."""
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.scenario import build_scenario

from .framework import (
    ALL_USERS,
    ATTACK_KINDS,
    PERSONAL_DATA_EXPORTS,
    all_routes,
    attacks,
    declaration_for,
    declarations,
)

ROUTES = all_routes()
CASES = declarations()
DENIED = (403, 404)
ATTACKS = attacks()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(response) -> str:
    """What a response shows, as text: an XLSX file's cells and properties, a streamed file's lines."""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if response.get("Content-Type", "").startswith(XLSX):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body))
        cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
        return "\n".join([*cells, book.properties.description or ""])
    return body.decode("utf-8", "replace")


def _declared(kind):
    return [(r, c) for r in ROUTES if (c := declaration_for(r, CASES)) is not None and c.kind == kind]


def test_every_route_is_declared():
    missing = [f"{r.name} ({r.pattern})" for r in ROUTES if declaration_for(r, CASES) is None]
    assert not missing, "routes without an isolation declaration (add them to tests/isolation/cases/):\n" + \
        "\n".join(missing)


def test_every_declaration_names_a_route():
    names = {r.name for r in ROUTES} | {f"{r.name.split(':')[0]}:*" for r in ROUTES}
    assert not sorted(set(CASES) - names)


def _url(route, case, s):
    url = reverse(route.name, kwargs=case.kwargs(s) if case.kwargs else None)
    return f"{url}?{case.query(s)}" if case.query else url


def _call(client, case, url, user, s):
    headers = {}
    if case.api:
        client.logout()
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    else:
        client.force_login(user)
    data = case.payload(s) if case.payload else None
    if case.method == "POST":
        return client.post(url, data or {}, **headers)
    return client.get(url, **headers)


def _ids(items):
    return [r.name for r, _ in items]


@pytest.mark.parametrize(("route", "case"), [(r, c) for r, c in ROUTES and
                                             [(r, declaration_for(r, CASES)) for r in ROUTES]
                                             if c and c.kind in ("signed_in", "roles", "scoped")],
                         ids=lambda v: getattr(v, "name", ""))
def test_anonymous_users_are_refused(client, db, route, case):
    s = build_scenario()
    url = _url(route, case, s)
    response = client.post(url, {}) if case.method == "POST" else client.get(url)
    assert response.status_code in (302, 401, 403, 404), f"{route.name}: {response.status_code}"
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("route", "case"), _declared("signed_in"), ids=_ids(_declared("signed_in")))
def test_signed_in_routes_open_for_every_role(client, db, route, case):
    s = build_scenario()
    url = _url(route, case, s)
    for username in ("village_doctor_a", "audit_admin"):
        response = _call(client, case, url, getattr(s, username), s)
        assert response.status_code < 400, f"{route.name} as {username}: {response.status_code}"


@pytest.mark.parametrize(("route", "case"), _declared("roles"), ids=_ids(_declared("roles")))
def test_role_routes_are_closed_to_other_roles(client, db, route, case):
    s = build_scenario()
    from yigongti.org.access import user_roles

    for username in ALL_USERS:
        user = getattr(s, username)
        url = _url(route, case, s)
        before = case.snapshot(s) if case.snapshot else None
        response = _call(client, case, url, user, s)
        allowed = bool(user_roles(user) & case.allowed_roles)
        if allowed:
            assert response.status_code < 400, f"{route.name} as {username}: {response.status_code}"
        else:
            assert response.status_code in DENIED, f"{route.name} let {username} in: {response.status_code}"
            if case.snapshot:
                assert case.snapshot(s) == before, f"{route.name}: {username}'s write changed data"


@pytest.mark.parametrize(("route", "case"), _declared("scoped"), ids=_ids(_declared("scoped")))
def test_outsiders_cannot_read_or_write_another_institutions_data(client, db, route, case):
    s = build_scenario()
    hidden = case.hidden(s) if case.hidden else None
    for username in case.outsiders:
        url = _url(route, case, s)
        before = case.snapshot(s) if case.snapshot else None
        response = _call(client, case, url, getattr(s, username), s)
        if hidden is not None:
            assert hidden not in _text(response), f"{route.name}: {username} saw {hidden}"
        elif case.snapshot is None:
            assert response.status_code in DENIED, f"{route.name} let {username} in: {response.status_code}"
        if case.snapshot is not None:
            assert response.status_code in (*DENIED, 200), f"{route.name}: {username} got {response.status_code}"
            assert case.snapshot(s) == before, f"{route.name}: {username}'s write changed data"
    url = _url(route, case, s)
    before = case.snapshot(s) if case.snapshot else None
    response = _call(client, case, url, getattr(s, case.owner), s)
    assert response.status_code < 400, f"{route.name} as owner {case.owner}: {response.status_code}"
    if hidden is not None:
        assert hidden in _text(response), f"{route.name}: the owner does not see {hidden}"
    if case.snapshot is not None and case.method == "POST":
        assert case.snapshot(s) != before, f"{route.name}: the owner's valid write did nothing"


@pytest.mark.parametrize(("route", "case"), _declared("django_admin")[:3], ids=_ids(_declared("django_admin")[:3]))
def test_django_admin_is_for_staff_accounts_only(client, db, route, case):
    s = build_scenario()
    client.force_login(s.consortium_office)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


TWO_FACTOR_USERS = ("consortium_office", "health_bureau", "system_admin", "security_admin", "audit_admin")


@pytest.mark.parametrize(("route", "case"), [(r, c) for r, c in [(r, declaration_for(r, CASES)) for r in ROUTES]
                                             if c and c.kind in ("signed_in", "roles", "scoped")
                                             and not r.name.startswith("otp_")],
                         ids=lambda v: getattr(v, "name", ""))
def test_a_password_only_session_of_a_2fa_role_reaches_nothing(route, case, db):
    """Issue 16: every page, API and FHIR route refuses a signed-in office or administrator user whose
    session has not passed the second factor (the real login, not force_login)."""
    from django.test import Client

    s = build_scenario()
    for username in TWO_FACTOR_USERS[:2] if case.kind == "signed_in" else TWO_FACTOR_USERS:
        client = Client()
        user = getattr(s, username)
        assert client.post("/accounts/login/", {"username": user.username, "password": s.password}).status_code == 302
        url = _url(route, case, s)
        before = case.snapshot(s) if case.snapshot else None
        response = client.post(url, case.payload(s) if case.payload else {}) if case.method == "POST" else client.get(url)
        assert response.status_code in (302, 403), f"{route.name} as {username}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/2fa/" in response["Location"] or "/accounts/login/" in response["Location"], route.name
        if case.snapshot:
            assert case.snapshot(s) == before, f"{route.name}: an unverified session changed data"


# --- attacks (issue 16): exports, writes across institutions, break-glass misuse, role escalation ----------


def test_every_attack_names_a_route_and_every_kind_is_tried():
    names = {r.name for r in ROUTES}
    assert not sorted({name for name, _ in ATTACKS} - names)
    assert set(ATTACK_KINDS) <= {a.kind for _, a in ATTACKS}
    missing = [n for n in PERSONAL_DATA_EXPORTS if n in names
               and not any(name == n and a.kind == "export" for name, a in ATTACKS)]
    assert not missing, f"personal-data exports without an export attack: {missing}"


def _attack_call(client, attack, url, user, s):
    headers = {}
    if attack.api:
        client.logout()
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    else:
        client.force_login(user)
    data = attack.payload(s) if attack.payload else {}
    method = attack.method.lower()
    if method == "get":
        return client.get(url, **headers)
    if attack.content_type:
        import json

        return getattr(client, method)(url, json.dumps(data), content_type=attack.content_type, **headers)
    if method == "post":
        return client.post(url, data, **headers)
    return getattr(client, method)(url, data, content_type="application/json", **headers)


@pytest.mark.parametrize(("name", "attack"), ATTACKS, ids=[f"{n}-{a.kind}-{a.user}" for n, a in ATTACKS])
def test_an_attack_fails(client, db, name, attack):
    s = build_scenario()
    if attack.setup:
        attack.setup(s)
    url = reverse(name, kwargs=attack.kwargs(s) if attack.kwargs else None)
    if attack.query:
        url = f"{url}?{attack.query(s)}"
    hidden = attack.hidden(s) if attack.hidden else None
    before = attack.snapshot(s) if attack.snapshot else None
    response = _attack_call(client, attack, url, getattr(s, attack.user), s)
    where = f"{name} ({attack.what}) as {attack.user}"
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if attack.refused:
        assert response.status_code in DENIED, f"{where} was not refused: {response.status_code}"
    if hidden is not None:
        assert hidden not in _text(response), f"{where}: saw {hidden}"
    if attack.snapshot:
        assert attack.snapshot(s) == before, f"{where}: changed data"
    if attack.control:
        url = reverse(name, kwargs=attack.kwargs(s) if attack.kwargs else None)
        if attack.query:
            url = f"{url}?{attack.query(s)}"
        response = _attack_call(client, attack, url, getattr(s, attack.control), s)
        assert response.status_code < 400, f"{name} ({attack.what}) as the control {attack.control}: " \
            f"{response.status_code} {response.content[:300]!r}"
        assert attack.snapshot(s) != before, f"{name} ({attack.what}): the control {attack.control} changed nothing"
