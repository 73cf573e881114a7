"""The generated isolation suite (Foundation 3): every route in the URL configuration must declare who may
use it; scenario users from another village, township or institution then try to read, list, export,
modify and create in another institution's name.

A declaration lives in ``tests/isolation/cases/<app>.py`` as ``CASES = {"namespace:name": Case(...)}``:

- ``Case.public()``: no sign-in needed (login, health check, language switch).
- ``Case.signed_in()``: any signed-in user, nothing institution-specific (structure, own profile, own inbox
  list); anonymous users are refused.
- ``Case.roles({...})``: only holders of these roles; everybody else gets 403/404, and a write by them
  (``payload``) leaves ``snapshot`` unchanged.
- ``Case.scoped(...)``: data of one institution: ``owner`` (a scenario user) may use it, every user in
  ``outsiders`` is refused (403/404, or a page that does nothing) and their write leaves ``snapshot``
  unchanged; for lists, ``hidden`` is text the outsiders must not see.
- ``Case.django_admin()``: Django's admin, for staff accounts only.

``kwargs(scenario)`` builds the URL arguments (creating the target object); ``payload(scenario)`` the body
of a valid write; ``snapshot(scenario)`` reads what a refused write must not change.

Attacks (issue 16). Beyond who may use a route, a module may declare ``ATTACKS = {"namespace:name":
[Attack(...), ...]}``: one user's concrete attempt on that route, which must fail — the response is not a
server error, ``snapshot`` is unchanged, ``hidden`` is not in the answer (XLSX and NDJSON are read as
text), and with ``refused=True`` the answer is 403/404. ``kind`` names what is tried:

- ``export``: an export of personal data across institutions, by a role that may not export, or without
  a purpose;
- ``create`` / ``modify``: a write in another institution's name or on its data;
- ``break_glass``: break-glass without a reason, by a role that never has it, or a grant used outside its
  window or for another resident;
- ``escalation``: a user granting themselves a role, or acting as an institution they do not belong to.

``setup(scenario)`` runs first (an expired grant, an approval to decide). Every kind must be declared at
least once, and every route in ``PERSONAL_DATA_EXPORTS`` needs an export attack. ``control`` names a user for
whom the very same request succeeds (its snapshot changes), so an attack cannot pass by a broken payload.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ALL_USERS = ("village_doctor_a", "village_doctor_b", "village_doctor_c", "township_doctor", "other_township_doctor",
             "county_specialist", "consortium_office", "health_bureau", "system_admin", "security_admin",
             "audit_admin", "institution_admin_t1", "mental_health_doctor")


@dataclass
class Case:
    kind: str
    allowed_roles: frozenset = frozenset()
    kwargs: Callable[[Any], dict] | None = None
    method: str = "GET"
    payload: Callable[[Any], dict] | None = None
    snapshot: Callable[[Any], Any] | None = None
    owner: str = ""
    outsiders: tuple[str, ...] = ()
    hidden: Callable[[Any], str] | None = None
    api: bool = False
    note: str = ""
    query: Callable[[Any], str] | None = None  # a query string built from the scenario (drill-downs)

    @classmethod
    def public(cls, note=""):
        return cls("public", note=note)

    @classmethod
    def signed_in(cls, kwargs=None, api=False, note=""):
        return cls("signed_in", kwargs=kwargs, api=api, note=note)

    @classmethod
    def roles(cls, roles, kwargs=None, method="GET", payload=None, snapshot=None, api=False):
        return cls("roles", allowed_roles=frozenset(roles), kwargs=kwargs, method=method, payload=payload,
                   snapshot=snapshot, api=api)

    @classmethod
    def scoped(cls, *, owner, outsiders, kwargs=None, method="GET", payload=None, snapshot=None, hidden=None,
               api=False, query=None):
        return cls("scoped", owner=owner, outsiders=tuple(outsiders), kwargs=kwargs, method=method,
                   payload=payload, snapshot=snapshot, hidden=hidden, api=api, query=query)

    @classmethod
    def django_admin(cls):
        return cls("django_admin")


ATTACK_KINDS = ("export", "create", "modify", "break_glass", "escalation")
# Routes that hand out personal data in bulk: each must be declared with at least one export attack.
PERSONAL_DATA_EXPORTS = ("people:export", "audit:export", "fhir:export", "fhir:patient-export", "kpi:drill")


@dataclass(frozen=True)
class Attack:
    kind: str
    user: str
    what: str
    method: str = "POST"
    kwargs: Callable[[Any], dict] | None = None
    payload: Callable[[Any], dict] | None = None
    query: Callable[[Any], str] | None = None
    snapshot: Callable[[Any], Any] | None = None
    hidden: Callable[[Any], str] | None = None
    setup: Callable[[Any], Any] | None = None
    refused: bool = False
    api: bool = False
    content_type: str = ""  # e.g. "application/fhir+json" for a FHIR create
    control: str = ""  # a user for whom the same request works (the snapshot changes): proves the payload valid

    def __post_init__(self):
        assert self.kind in ATTACK_KINDS, self.kind
        assert self.snapshot or self.hidden or self.refused, f"{self.what}: nothing to check"

    def with_(self, **changes) -> Attack:
        return replace(self, **changes)


@dataclass
class Route:
    name: str
    pattern: str
    callback: Any = field(repr=False, default=None)


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or str(entry.pattern)
            yield Route(f"{namespace}:{name}" if namespace else name, prefix + str(entry.pattern), entry.callback)


def all_routes() -> list[Route]:
    """Every route of the URL configuration, named ``namespace:name``."""
    routes = {}
    for route in _walk(get_resolver(), "", ""):
        routes.setdefault(route.name, route)
    return sorted(routes.values(), key=lambda r: r.name)


def declarations() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    package = Path(__file__).parent / "cases"
    for info in pkgutil.iter_modules([str(package)]):
        module = importlib.import_module(f"tests.isolation.cases.{info.name}")
        for name, case in module.CASES.items():
            assert name not in cases, f"{name} declared twice"
            cases[name] = case
    return cases


def attacks() -> list[tuple[str, Attack]]:
    """(route name, attack) for every ``ATTACKS`` entry of the case modules."""
    found: list[tuple[str, Attack]] = []
    package = Path(__file__).parent / "cases"
    for info in pkgutil.iter_modules([str(package)]):
        module = importlib.import_module(f"tests.isolation.cases.{info.name}")
        for name, items in getattr(module, "ATTACKS", {}).items():
            found.extend((name, attack) for attack in items)
    return found


def declaration_for(route: Route, cases: dict[str, Case]) -> Case | None:
    if route.name in cases:
        return cases[route.name]
    namespace = route.name.split(":")[0]
    return cases.get(f"{namespace}:*")
