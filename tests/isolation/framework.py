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
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
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


def declaration_for(route: Route, cases: dict[str, Case]) -> Case | None:
    if route.name in cases:
        return cases[route.name]
    namespace = route.name.split(":")[0]
    return cases.get(f"{namespace}:*")
