"""The registry of implemented resource kinds. URLs, the CapabilityStatement, the transaction processor and
$export are all generated from it, so what /fhir/metadata says is exactly what the server does.

A kind module (``fhir/kinds/<resource>.py``) builds one ``ResourceKind`` and calls ``register(kind)``; a
kind whose source app is missing (e.g. CareTeam before familydoctor.queries exists) does not register."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .search import Params


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # number | date | string | token | reference
    documentation: str


@dataclass
class Page:
    total: int | None
    resources: list[dict]


@dataclass
class ResourceKind:
    type: str
    documentation: str
    read: Callable[[Any, str], dict]  # (user, id) → resource; raises FhirError 404 when not visible
    search: Callable[[Any, Params], Page]  # (user, params) → one page
    search_params: list[SearchParam] = field(default_factory=list)
    # (user, resource, conditional "If-None-Exist" query or None) → (resource, created)
    create: Callable[[Any, dict, str | None], tuple[dict, bool]] | None = None
    update: Callable[[Any, str, dict, int | None], dict] | None = None  # (user, id, resource, expected version)
    export: Callable[[Any], Iterable[dict]] | None = None  # every resource of the user's scope, for $export
    patient_compartment: bool = False  # exported by Patient-level $export
    conditional_create: bool = False
    versioned: bool = False  # meta.versionId is the record's version (If-Match is checked)

    @property
    def interactions(self) -> list[str]:
        found = ["read", "search-type"]
        if self.create:
            found.append("create")
        if self.update:
            found.append("update")
        return found


_kinds: dict[str, ResourceKind] = {}


def register(kind: ResourceKind) -> ResourceKind:
    _kinds[kind.type] = kind
    return kind


def kinds() -> list[ResourceKind]:
    load()
    return [_kinds[name] for name in sorted(_kinds)]


def get(resource_type: str) -> ResourceKind | None:
    load()
    return _kinds.get(resource_type)


_loaded = False


def load() -> None:
    """Import every kind module once (each registers itself if its source app is there)."""
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    from . import kinds as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True
