"""Run the declarations of tests/isolation/cases against every route (see framework.py)."""
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.scenario import build_scenario

from .framework import ALL_USERS, all_routes, declaration_for, declarations

ROUTES = all_routes()
CASES = declarations()
DENIED = (403, 404)


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
            assert hidden not in response.content.decode(), f"{route.name}: {username} saw {hidden}"
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
        assert hidden in response.content.decode(), f"{route.name}: the owner does not see {hidden}"
    if case.snapshot is not None and case.method == "POST":
        assert case.snapshot(s) != before, f"{route.name}: the owner's valid write did nothing"


@pytest.mark.parametrize(("route", "case"), _declared("django_admin")[:3], ids=_ids(_declared("django_admin")[:3]))
def test_django_admin_is_for_staff_accounts_only(client, db, route, case):
    s = build_scenario()
    client.force_login(s.consortium_office)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
