"""Condition: the ICD-10 diagnoses of encounters (category encounter-diagnosis, ``enc-<encounter>-<n>``) and
further sources other apps' kinds add with ``add_source`` (programme enrolments: problem-list items). A search
needs a ``patient``/``subject`` or an ``encounter``: conditions are expanded from the records' code lists."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yigongti.people.models import Icd10Code
from yigongti.people.queries import visible_encounters

from ..errors import invalid, not_found
from ..mapping import condition as mapping
from ..registry import Page, ResourceKind, SearchParam, register
from ..search import Params, int_id, reference_id, token
from ._common import audit_read, patient_ids

_ID = re.compile(r"^enc-(\d{1,17})-(\d{1,3})$")


@dataclass(frozen=True)
class Source:
    read: Callable  # (user, id) → resource, or None when the id is not this source's (FhirError 404 if hidden)
    search: Callable  # (user, [[patient ids]…], encounter given) → list of resources
    export: Callable  # (user) → iterable of resources
    categories: tuple[str, ...]


_sources: list[Source] = []


def add_source(source: Source) -> None:
    _sources.append(source)


def _names(encounters) -> dict[str, str]:
    codes = {c for enc in encounters for c in mapping.diagnoses(enc)}
    return dict(Icd10Code.objects.filter(code__in=codes).values_list("code", "name"))


def read(user, raw_id: str) -> dict:
    for source in _sources:
        found = source.read(user, raw_id)
        if found is not None:
            return found
    m = _ID.match(raw_id)
    enc = visible_encounters(user).filter(pk=int(m.group(1))).first() if m else None
    if enc is None:
        raise not_found()
    conditions = mapping.from_encounter(enc, _names([enc]))
    n = int(m.group(2))
    if n >= len(conditions):
        raise not_found()
    audit_read(user, enc.resident_id, "fhir condition")
    return conditions[n]


def _code(condition: dict) -> str:
    return ((condition["code"].get("coding") or [{}])[0].get("code") or "").upper()


def search(user, params: Params) -> Page:
    patients = patient_ids(params)
    encounters = [[i for i in (int_id(reference_id(v, "Encounter")) for v in raw.split(",")) if i is not None]
                  for raw in params.get("encounter")]
    if not patients and not encounters and not params.get("_id"):
        raise invalid(_("查询诊断须指明 patient 或 encounter。"), "Condition", status=400)
    qs = visible_encounters(user)
    for ids in patients:
        qs = qs.filter(resident_id__in=ids)
    for ids in encounters:
        qs = qs.filter(pk__in=ids)
    rows = list(qs.order_by("-visit_date", "-pk")[:5000])
    names = _names(rows)
    found = [c for e in rows for c in mapping.from_encounter(e, names)]
    for source in _sources:
        found.extend(source.search(user, patients, bool(encounters)))
    for raw in params.get("_id"):
        wanted = set(raw.split(","))
        found = [c for c in found if c["id"] in wanted]
    for raw in params.get("code"):
        codes = [token(v)[1].upper() for v in raw.split(",")]
        found = [c for c in found if any(_code(c).startswith(code) for code in codes)]
    for raw in params.get("category"):
        wanted = {token(v)[1] for v in raw.split(",")}
        found = [c for c in found if wanted & {coding["code"] for cat in c["category"] for coding in cat["coding"]}]
    return Page(len(found), found[params.offset:params.offset + params.count])


def export(user):
    batch = []
    for enc in visible_encounters(user).order_by("pk").iterator(chunk_size=500):
        batch.append(enc)
        if len(batch) == 500:
            names = _names(batch)
            yield from (c for e in batch for c in mapping.from_encounter(e, names))
            batch = []
    names = _names(batch)
    yield from (c for e in batch for c in mapping.from_encounter(e, names))
    for source in _sources:
        yield from source.export(user)


register(ResourceKind(
    type="Condition",
    documentation="Encounter diagnoses (ICD-10 国家临床版 2.0) and programme enrolments (problem-list items, "
                  "when the chronic app is there). Search needs patient/subject or encounter.",
    read=read, search=search, export=export, patient_compartment=True,
    search_params=[
        SearchParam("_id", "token", "Logical id (enc-<encounter>-<n>)"),
        SearchParam("patient", "reference", "The resident"),
        SearchParam("subject", "reference", "The resident"),
        SearchParam("encounter", "reference", "The encounter"),
        SearchParam("code", "token", "ICD-10 code (prefix: I10 finds I10.x00)"),
        SearchParam("category", "token", "encounter-diagnosis | problem-list-item (programme enrolments)"),
    ],
))
