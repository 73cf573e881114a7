"""ServiceRequest: one kind over every kind of request the platform keeps. One resource type has one kind in
the registry, so the apps that hold requests each add a *source* here instead of registering the type:

- referral forms (双向转诊单, kinds/referral.py): id = the referral's id (``12``), category SNOMED CT 3457005;
- diagnostic reading requests (检查检验申请, kinds/diagnostics.py): id = ``dx-<request id>``, category imaging,
  ECG or laboratory procedure.

A source is the app's scoped queryset (annotated with ``authored``, the moment the request was made), the
filter of the parameters whose meaning is the source's own (status, requester, performer, category, code,
identifier), its audited read of one record and its converter. A search narrows every source (a source a
parameter rules out — ``category`` of the other kind — is left out), counts them for ``total`` and merges their
rows newest first (``authored``, then source, then id: a total order, so ``_offset`` paging neither repeats nor
skips); each source reads at most ``_offset + _count`` rows. The kind registers with the first source, so the
CapabilityStatement advertises ServiceRequest only when an app provides one, and its documentation is
assembled from the sources that are there."""
from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from ..errors import not_found
from ..registry import Page, ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, reference_id
from ._common import patient_ids

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Source:
    prefix: str  # "" → the id is the record's id; otherwise "<prefix>-<id>"
    documentation: str
    queryset: Callable[[Any], QuerySet]  # (user) → scoped rows with ``resident_id`` and an ``authored`` annotation
    narrow: Callable[[QuerySet, Params], QuerySet | None]  # the source's own parameters; None: nothing can match
    read: Callable[[Any, int], Any]  # (user, pk) → the record, its read audited; Http404 when not visible
    to_fhir: Callable[[Any], dict]
    params: dict[str, str] = field(default_factory=dict)  # parameter → what it means for this source

    def fhir_id(self, pk: int) -> str:
        return f"{self.prefix}-{pk}" if self.prefix else str(pk)


_sources: list[Source] = []
_ID = re.compile(r"^(?:([a-z]{1,8})-)?(\d{1,17})$")

# Parameters every source understands the same way (the others are documented by the sources).
SHARED = {"patient": "The resident", "subject": "The resident", "authored": "When the request was made"}
OWN = ["status", "requester", "performer", "category", "code", "identifier"]


def split_id(raw: str) -> tuple[str, int] | None:
    m = _ID.match(raw.strip())
    return (m.group(1) or "", int(m.group(2))) if m else None


def reference_q(raw: str, organization_field: str, practitioner_field: str) -> Q:
    """``Organization/<id>`` (or a bare id) and ``Practitioner/<id>``, a comma list (OR), as a filter on the two
    fields (``<field>_id``)."""
    q = Q(pk__in=[])
    for part in raw.split(","):
        kind = "Practitioner" if part.startswith("Practitioner/") else "Organization"
        pk = int_id(reference_id(part, kind))
        if pk is not None:
            q |= Q(**{f"{practitioner_field if kind == 'Practitioner' else organization_field}_id": pk})
    return q


def _order_key(moment: dt.datetime) -> int:
    """Microseconds since the epoch, exact (a float timestamp may tie or swap two close moments)."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _narrowed(user, source: Source, params: Params) -> QuerySet | None:
    qs = source.queryset(user)
    for raw in params.get("_id"):
        pks = [found[1] for v in raw.split(",") if (found := split_id(v)) and found[0] == source.prefix]
        qs = qs.filter(pk__in=pks)
    for ids in patient_ids(params):
        qs = qs.filter(resident_id__in=ids)
    if params.get("authored"):
        qs = qs.filter(date_q("authored", params.get("authored"), is_datetime=True))
    return source.narrow(qs, params)


def search(user, params: Params) -> Page:
    parts = [(n, qs) for n, source in enumerate(_sources) if (qs := _narrowed(user, source, params)) is not None]
    total = sum(qs.count() for _n, qs in parts)
    if not params.count:
        return Page(total, [])
    need = params.offset + params.count
    merged = [[(-_order_key(row.authored), n, -row.pk, row) for row in qs.order_by("-authored", "-pk")[:need]]
              for n, qs in parts]
    page = list(heapq.merge(*merged, key=lambda item: item[:3]))[params.offset:need]
    return Page(total, [_sources[n].to_fhir(row) for _t, n, _pk, row in page])


def read(user, raw_id: str) -> dict:
    found = split_id(raw_id)
    if found is not None:
        for source in _sources:
            if source.prefix == found[0]:
                return source.to_fhir(source.read(user, found[1]))
    raise not_found()


def export(user):
    for source in _sources:
        for row in source.queryset(user).order_by("pk").iterator(chunk_size=500):
            yield source.to_fhir(row)


def _documented(name: str) -> str:
    return "; ".join(s.params[name] for s in _sources if name in s.params)


def add_source(source: Source) -> None:
    """Add a source and (re-)register the ServiceRequest kind with the documentation of the sources there."""
    if any(s.prefix == source.prefix for s in _sources):
        raise ValueError(f"ServiceRequest source {source.prefix!r} is already there")
    _sources.append(source)
    _sources.sort(key=lambda s: s.prefix)  # the same order whichever app's kind module is imported first
    ids = "; ".join(f"{s.prefix}-<id>" if s.prefix else "<id>" for s in _sources)
    register(ResourceKind(
        type="ServiceRequest",
        documentation=" ".join(s.documentation for s in _sources)
        + " One search merges them newest first (authoredOn).",
        read=read, search=search, export=export, patient_compartment=True,
        search_params=[SearchParam("_id", "token", f"Logical id ({ids})"),
                       *[SearchParam(name, "date" if name == "authored" else "reference", doc)
                         for name, doc in SHARED.items()],
                       *[SearchParam(name, "reference" if name in ("requester", "performer") else "token",
                                     _documented(name)) for name in OWN if _documented(name)]],
    ))
