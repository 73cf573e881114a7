"""Observation: vital signs and measurements from every place they are recorded, as one searchable list.

Each source is a set of *streams*, one per (record kind, measurement): exam blood pressures, exam weights,
encounter glucoses, standalone measurements of one LOINC code, … A stream is a scoped queryset with a date
field and a converter; a search filters every stream the ``code`` and ``category`` parameters leave, counts
them for ``total`` and merges their newest-first rows for the page (date, then stream, then id: a total order;
each stream reads at most offset+count rows). Later sources add their streams with ``add_stream``: chronic
follow-ups, and the laboratory results of the diagnostic centres — a stream whose rows carry their own LOINC
code (``code_field``), which a ``code`` search filters on instead of choosing streams by measurement.

Create and update go to people.measurements (record_measurement / update_measurement): validated, audited,
and a blood pressure or glucose publishes VitalsRecorded, so screening runs on it."""
from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yigongti.people.measurements import record_measurement, update_measurement, visible_measurements
from yigongti.people.models import Measurement
from yigongti.people.queries import visible_encounters, visible_exams

from .. import systems
from ..errors import FhirError, invalid, not_found
from ..mapping import observation as mapping
from ..registry import Page, ResourceKind, SearchParam, register
from ..search import CHINA, Params, date_q, token
from ._common import acting_institution, audit_read, patient_ids, resident_for_write


@dataclass(frozen=True)
class Stream:
    prefix: str  # "exam", "enc", "m", …: the id is "<prefix>-<pk>-<key>" (or "m-<pk>")
    key: str  # bp | glu | wt | ht | bmi | hr
    queryset: Callable[[object], QuerySet]  # (user) → scoped rows that hold this measurement
    date_field: str
    is_datetime: bool
    to_fhir: Callable[[object], dict]
    resident_field: str = "resident_id"
    category: str = ""  # observation-category code; "" → the measurement's own (mapping.CODES)
    code_field: str = ""  # rows with their own LOINC code (lab results: "analyte__loinc"); "" → the key's code

    @property
    def category_code(self) -> str:
        return self.category or mapping.CODES[self.key][3]

    def obs_id(self, pk) -> str:
        return f"{self.prefix}-{pk}" if self.prefix == "m" else f"{self.prefix}-{pk}-{self.key}"


_streams: list[Stream] = []


def add_stream(stream: Stream) -> None:
    _streams.append(stream)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _effective(row, stream: Stream) -> int:
    """The row's date as exact microseconds since the epoch (the merge key; a float could tie two moments)."""
    value = getattr(row, stream.date_field)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0), tzinfo=CHINA)
    return (value - EPOCH) // dt.timedelta(microseconds=1)


# --- exams -------------------------------------------------------------------------------------------

def _exam(key: str, value_of):
    def to_fhir(e):
        kwargs = value_of(e)
        return mapping.build(f"exam-{e.pk}-{key}", key, patient_id=e.resident_id, effective=e.exam_date,
                             performer_org=e.institution_id, **kwargs)
    return to_fhir


EXAM_FIELDS = {
    "bp": (Q(systolic_left__isnull=False, diastolic_left__isnull=False)
           | Q(systolic_right__isnull=False, diastolic_right__isnull=False),
           lambda e: {"systolic": e.systolic_left or e.systolic_right,
                      "diastolic": e.diastolic_left if e.systolic_left else e.diastolic_right}),
    "glu": (Q(fasting_glucose__isnull=False), lambda e: {"value": e.fasting_glucose}),
    "wt": (Q(weight__isnull=False), lambda e: {"value": e.weight}),
    "ht": (Q(height__isnull=False), lambda e: {"value": e.height}),
    "bmi": (Q(bmi__isnull=False), lambda e: {"value": e.bmi}),
    "hr": (Q(pulse__isnull=False), lambda e: {"value": e.pulse}),
}
for _key, (_cond, _value_of) in EXAM_FIELDS.items():
    add_stream(Stream("exam", _key, lambda user, c=_cond: visible_exams(user).filter(c), "exam_date", False,
                      _exam(_key, _value_of)))


# --- encounters --------------------------------------------------------------------------------------

def _enc(key: str, value_of):
    def to_fhir(e):
        return mapping.build(f"enc-{e.pk}-{key}", key, patient_id=e.resident_id, effective=e.visit_date,
                             performer_org=e.institution_id, encounter_id=e.pk, **value_of(e))
    return to_fhir


ENCOUNTER_FIELDS = {
    "bp": (Q(systolic__isnull=False, diastolic__isnull=False),
           lambda e: {"systolic": e.systolic, "diastolic": e.diastolic}),
    "glu": (Q(fasting_glucose__isnull=False), lambda e: {"value": e.fasting_glucose}),
}
for _key, (_cond, _value_of) in ENCOUNTER_FIELDS.items():
    add_stream(Stream("enc", _key, lambda user, c=_cond: visible_encounters(user).filter(c), "visit_date", False,
                      _enc(_key, _value_of)))


# --- standalone measurements -------------------------------------------------------------------------

def measurement_to_fhir(m: Measurement) -> dict:
    key = mapping.KEY_OF_CODE[m.code]
    identifier = None
    if m.external_id:
        identifier = {"system": systems.his_observation(m.institution.code), "value": m.external_id}
    return mapping.build(f"m-{m.pk}", key, patient_id=m.resident_id, effective=m.measured_at, value=m.value,
                         systolic=m.systolic, diastolic=m.diastolic, performer_org=m.institution_id,
                         encounter_id=m.encounter_id, identifier=identifier, issued=m.created_at)


for _key, (_code, *_rest) in mapping.CODES.items():
    add_stream(Stream("m", _key, lambda user, c=_code: visible_measurements(user).filter(code=c)
                      .select_related("institution"), "measured_at", True, measurement_to_fhir))


# --- read / search -----------------------------------------------------------------------------------

_ID = re.compile(r"^(exam|enc|m|[a-z]{1,8})-(\d{1,17})(?:-([a-z]{2,3}))?$")


def _find(user, raw_id: str):
    m = _ID.match(raw_id)
    if not m:
        raise not_found()
    prefix, pk, key = m.group(1), int(m.group(2)), m.group(3)
    for stream in _streams:
        if stream.prefix != prefix:
            continue
        if prefix == "m":
            row = stream.queryset(user).filter(pk=pk).first()
            if row is not None:
                return stream, row
            continue
        if stream.key == key:
            row = stream.queryset(user).filter(pk=pk).first()
            if row is not None:
                return stream, row
    raise not_found()


def read(user, raw_id: str) -> dict:
    stream, row = _find(user, raw_id)
    audit_read(user, getattr(row, stream.resident_field), "fhir observation")
    return stream.to_fhir(row)


def _token_sets(params: Params, name: str, system: str) -> list[set[str]]:
    """Each ``name`` parameter (repeats are AND) as the set of its codes (a comma list is OR); a code of another
    system matches nothing."""
    found = []
    for raw in params.get(name):
        found.append({code for s, code in map(token, raw.split(",")) if code and s in (None, "", system)})
    return found


def _stream_q(stream: Stream, codes: list[set[str]], categories: list[set[str]]) -> Q | None:
    """The filter a search puts on one stream's rows, or None when ``code``/``category`` rule the stream out."""
    if any(stream.category_code not in wanted for wanted in categories):
        return None
    q = Q()
    for wanted in codes:
        if stream.code_field:
            q &= Q(**{f"{stream.code_field}__in": sorted(wanted)})
            continue
        keys = {mapping.KEY_OF_CODE[c] for c in wanted if c in mapping.KEY_OF_CODE}
        if wanted & {mapping.SYSTOLIC, mapping.DIASTOLIC}:
            keys.add("bp")
        if stream.key not in keys:
            return None
    return q


def _filtered(user, stream: Stream, params: Params) -> QuerySet:
    qs = stream.queryset(user)
    for ids in patient_ids(params):
        qs = qs.filter(**{f"{stream.resident_field}__in": ids})
    if params.get("date"):
        qs = qs.filter(date_q(stream.date_field, params.get("date"), is_datetime=stream.is_datetime))
    for raw in params.get("encounter"):
        ids = [int(v.split("/")[-1]) for v in raw.split(",") if v.split("/")[-1].isdigit()]
        if stream.prefix == "enc":
            qs = qs.filter(pk__in=ids)
        elif stream.prefix == "m":
            qs = qs.filter(encounter_id__in=ids)
        else:
            qs = qs.none()
    for raw in params.get("_id"):
        wanted = raw.split(",")
        qs = qs.filter(pk__in=[int(m.group(2)) for w in wanted if (m := _ID.match(w))
                               and m.group(1) == stream.prefix and (stream.prefix == "m" or m.group(3) == stream.key)])
    return qs


def search(user, params: Params) -> Page:
    codes = _token_sets(params, "code", systems.LOINC)
    categories = _token_sets(params, "category", systems.OBSERVATION_CATEGORY)
    chosen = [(s, q) for s in _streams if (q := _stream_q(s, codes, categories)) is not None]
    streams = [s for s, _q in chosen]
    querysets = [(s, _filtered(user, s, params).filter(q)) for s, q in chosen]
    total = sum(qs.count() for _s, qs in querysets)
    need = params.offset + params.count
    if not params.count:
        return Page(total, [])
    merged = []
    for n, (stream, qs) in enumerate(querysets):
        rows = qs.order_by(f"-{stream.date_field}", "-pk")[:need]
        merged.append([(-_effective(row, stream), n, -row.pk, row) for row in rows])
    page = list(heapq.merge(*merged, key=lambda item: item[:3]))[params.offset:need]
    return Page(total, [streams[n].to_fhir(row) for _t, n, _pk, row in page])


# --- writes ------------------------------------------------------------------------------------------

def _encounter_for(user, data: dict, resident):
    if not data.get("encounter_id"):
        return None
    enc = visible_encounters(user).filter(pk=int(data["encounter_id"]) if data["encounter_id"].isdigit() else 0,
                                          resident=resident).first()
    if enc is None:
        raise FhirError(422, "not-found", _("引用的就诊记录不存在或不属于该居民。"), "Observation.encounter")
    return enc


VALUE_KEYS = ("code", "measured_at", "value", "systolic", "diastolic", "unit")


def create(user, resource: dict, if_none_exist: str | None) -> tuple[dict, bool]:
    data = mapping.from_fhir(resource)
    resident = resident_for_write(user, data.get("patient_id"), "Observation.subject")
    institution = acting_institution(user, data.get("organization_id"), "Observation.performer")
    encounter = _encounter_for(user, data, resident)
    m, created = record_measurement(user, institution=institution, resident=resident, source="fhir",
                                    external_id=data.get("external_id", ""), encounter=encounter,
                                    **{k: data[k] for k in VALUE_KEYS if k in data})
    return measurement_to_fhir(m), created


def update(user, raw_id: str, resource: dict, expected_version: int | None) -> dict:
    stream, row = _find(user, raw_id)
    if stream.prefix != "m":
        raise FhirError(405, "not-supported", _("该观察值来自体检或就诊记录，请修改原记录。"))
    if resource.get("id") != raw_id:
        raise invalid(_("资源 id 须与地址中的 id 一致。"), "Observation.id")
    data = mapping.from_fhir(resource)
    resident = resident_for_write(user, data.get("patient_id"), "Observation.subject")
    if resident.pk != row.resident_id:
        raise invalid(_("不能把观察值改到另一位居民名下。"), "Observation.subject", 422)
    changes = {k: data[k] for k in VALUE_KEYS if k in data}
    changes["encounter"] = _encounter_for(user, data, resident)
    return measurement_to_fhir(update_measurement(user, row, **changes))


def export(user):
    for stream in _streams:
        for row in stream.queryset(user).order_by("pk").iterator(chunk_size=500):
            yield stream.to_fhir(row)


register(ResourceKind(
    type="Observation",
    documentation="Vital signs and measurements (LOINC): blood pressure panel 85354-9 (components 8480-6, "
                  "8462-4), fasting glucose 1558-6, weight 29463-7, height 8302-2, BMI 39156-5, heart rate "
                  "8867-4; from health exams, encounters, standalone measurements and programme follow-ups; and "
                  "the published laboratory results of the shared diagnostic centres (lab-<id>-lab, category "
                  "laboratory, the analyte's LOINC code). Created Observations become measurements; those from "
                  "exams, encounters or reports are changed there.",
    read=read, search=search, create=create, update=update, export=export, patient_compartment=True,
    search_params=[
        SearchParam("_id", "token", "Logical id"),
        SearchParam("patient", "reference", "The resident"),
        SearchParam("subject", "reference", "The resident"),
        SearchParam("code", "token", "LOINC code (8480-6 or 8462-4 find blood pressures; a lab analyte's code finds "
                                     "its results)"),
        SearchParam("category", "token", "vital-signs | laboratory"),
        SearchParam("date", "date", "Effective date"),
        SearchParam("encounter", "reference", "The encounter"),
    ],
))
