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

- ``read``: an outsider's read of one record or list of another institution (the GET side of a page whose
  declaration is a write), refused or without ``hidden``;
- ``export``: an export of personal data across institutions, by a role that may not export, or without
  a purpose;
- ``create`` / ``modify``: a write in another institution's name or on its data;
- ``break_glass``: break-glass without a reason, by a role that never has it, or a grant used outside its
  window or for another resident;
- ``escalation``: a user granting themselves a role, or acting as an institution they do not belong to.

``setup(scenario)`` runs first (an expired grant, an approval to decide). Every kind must be declared at
least once, and every route in ``PERSONAL_DATA_EXPORTS`` needs an export attack. ``control`` names a user for
whom the very same request succeeds (its snapshot changes; for a read, ``hidden`` is in the answer), so an
attack cannot pass by a broken payload or a broken URL.

Coverage (test_isolation.py, ``test_every_route_is_attacked_in_each_way_that_applies``): ``accepted_methods``
reads from each view which methods it takes, ``hands_out_files`` whether it answers with a download; every
write method of a route then needs a cross-institution write (a scoped POST case or a create/modify attack
with a snapshot and an owner/control), every GET an outsider read (a scoped GET case or a read attack), every
download an export attack — unless the route is listed in test_isolation.py (``NOT_INSTITUTION_SCOPED``,
``GET_SIDE_OPEN``, ``GET_OPEN``, ``WRITES_NOTHING``, ``FILES_WITHOUT_PERSONAL_DATA``; one line of reason each).
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
    # the GET side of a scoped write page: text an outsider's GET must not show when the page answers
    # everybody (a list with a form); without it, outsiders' GET must be refused
    read_hidden: Callable[[Any], str] | None = None
    readers: tuple[str, ...] = ()  # outsiders of the write who may read it (the supervising township centre)

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
               api=False, query=None, read_hidden=None, readers=()):
        return cls("scoped", owner=owner, outsiders=tuple(outsiders), kwargs=kwargs, method=method,
                   payload=payload, snapshot=snapshot, hidden=hidden, api=api, query=query, read_hidden=read_hidden,
                   readers=tuple(readers))

    @classmethod
    def django_admin(cls):
        return cls("django_admin")


ATTACK_KINDS = ("read", "export", "create", "modify", "break_glass", "escalation")
# Routes that hand out personal data in bulk: each must be declared with at least one export attack.
PERSONAL_DATA_EXPORTS = ("people:export", "audit:export", "fhir:export", "fhir:patient-export", "kpi:drill",
                         "fhir:export-file", "diagnostics:file", "people:import_errors", "finance:sheet")


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


# --- what a route accepts (issue 16: the coverage test) ---------------------------------------------------

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_BODY_READS = ("request.method", "request.POST", "request.FILES", "request.body", "request.data")
_FILE_MARKS = ("Content-Disposition", "xlsx_response", "FileResponse", "StreamingHttpResponse", "kick_off(")


def _own_functions(callback) -> list:
    """The project's functions behind a function view: the ``__wrapped__`` chain and functions held in
    closures (decorators without functools.wraps), Django's decorators left out."""
    found, todo, seen = [], [callback], set()
    while todo:
        f = todo.pop()
        if f is None or id(f) in seen or not callable(f):
            continue
        seen.add(id(f))
        found.append(f)
        todo.append(getattr(f, "__wrapped__", None))
        for cell in getattr(f, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value) and hasattr(value, "__code__"):
                todo.append(value)
    return found


def _method_decorator(functions) -> frozenset | None:
    """The methods of Django's ``require_http_methods`` (``require_POST``, ``require_GET`` …), if one wraps
    the view: its inner function keeps ``request_method_list`` in its closure."""
    for f in functions:
        code = getattr(f, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cells = dict(zip(code.co_freevars, f.__closure__, strict=True))
            return frozenset(m.upper() for m in cells["request_method_list"].cell_contents)
    return None


def _source(obj) -> str:
    import inspect

    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _project_sources(route: Route, helpers: bool = True) -> str:
    """The source of the view (function or class) and, with ``helpers``, of the module-level helpers it
    calls, one level deep."""
    import re

    cb = route.callback
    cls = getattr(cb, "view_class", None) or getattr(cb, "cls", None)
    objs = [cls] if cls is not None else [f for f in _own_functions(cb) if f.__module__.startswith("yigongti")]
    texts = []
    for obj in objs:
        text = _source(obj)
        texts.append(text)
        if not helpers:
            continue
        namespace = getattr(obj, "__globals__", None) or vars(importlib.import_module(obj.__module__))
        for helper in set(re.findall(r"\b(_[a-z]\w*)\(", text)):
            candidate = namespace.get(helper)
            if callable(candidate) and getattr(candidate, "__module__", "").startswith("yigongti"):
                texts.append(_source(candidate))
    return "\n".join(texts)


def accepted_methods(route: Route) -> frozenset:
    """The HTTP methods a route's view accepts (HEAD and OPTIONS left out).

    DRF viewsets: the method→action map of the route; DRF and Django class-based views: the handlers the
    class defines; FHIR type and instance views: GET, plus POST (create) or PUT (update) if the registered
    kind implements it; function views: the methods of ``require_http_methods``/``require_POST`` if they
    carry one, else GET — plus POST if the view's code reads the method or the body (``if request.method ==
    "POST"``, ``request.POST``)."""
    cb = route.callback
    if getattr(cb, "actions", None):  # DRF viewset route
        return frozenset(m.upper() for m in cb.actions) - {"HEAD", "OPTIONS"}
    cls = getattr(cb, "view_class", None) or getattr(cb, "cls", None)
    if cls is not None:
        methods = {m.upper() for m in cls.http_method_names if m not in ("head", "options") and hasattr(cls, m)}
        from yigongti.fhir import views as fhir_views

        initkwargs = getattr(cb, "view_initkwargs", None) or getattr(cb, "initkwargs", None) or {}
        if issubclass(cls, (fhir_views.TypeView, fhir_views.InstanceView)):
            from yigongti.fhir import registry

            kind = registry.get(initkwargs.get("resource_type", ""))
            if kind is None or kind.create is None:
                methods.discard("POST")
            if kind is None or kind.update is None:
                methods.discard("PUT")
        return frozenset(methods)
    functions = _own_functions(cb)
    declared = _method_decorator(functions)
    if declared is not None:
        return declared - {"HEAD", "OPTIONS"}
    reads_body = any(token in _project_sources(route, helpers=False) for token in _BODY_READS)
    return frozenset({"GET", "POST"} if reads_body else {"GET"})


def hands_out_files(route: Route) -> bool:
    """Whether the view answers with a download (XLSX, NDJSON, a stored file) or starts a bulk export."""
    return any(mark in _project_sources(route) for mark in _FILE_MARKS)
