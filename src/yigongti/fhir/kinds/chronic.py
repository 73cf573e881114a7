"""The programme engine (chronic), when it provides its queries: CarePlan (follow-up plans, read and search),
programme enrolments as Conditions (problem-list items, added to the Condition kind) and follow-up vitals as
Observation streams. Sensitive programmes (severe mental disorders) stay out for users without the programme
role: chronic.queries.visible_enrolments decides."""
from __future__ import annotations

import importlib.util
import re

from django.db.models import Q
from django.utils import timezone

from ..errors import not_found
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, token
from ._common import audit_read, ids_q, page_of, patient_ids

AVAILABLE = importlib.util.find_spec("yigongti.chronic.queries") is not None
ENROL_ID = re.compile(r"^enrol-(\d{1,17})$")
STATUS = {"active": ["active"], "completed": ["left"], "revoked": ["left"]}

if AVAILABLE:
    from yigongti.chronic import queries

    from ..mapping import chronic as mapping
    from ..mapping import observation as observation_mapping
    from . import condition as condition_kind
    from .observation import Stream, add_stream

    def _enrolments(user):
        return queries.visible_enrolments(user).select_related("icd10")

    # --- CarePlan ------------------------------------------------------------------------------------

    def read(user, raw_id: str) -> dict:
        pk = int_id(raw_id)
        e = _enrolments(user).filter(pk=pk).first() if pk else None
        if e is None:
            raise not_found()
        audit_read(user, e.resident_id, f"fhir careplan {e.programme}")
        return mapping.care_plan(e, timezone.localdate())

    def search(user, params: Params):
        qs = _enrolments(user).filter(ids_q(params))
        for ids in patient_ids(params):
            qs = qs.filter(resident_id__in=ids)
        for raw in params.get("status"):
            wanted = {token(v)[1] for v in raw.split(",")}
            cond = Q(pk__in=[])
            if "active" in wanted:
                cond |= Q(status="active")
            if "completed" in wanted:
                cond |= Q(status="left", leave_reason__in=mapping.COMPLETED_LEAVE_REASONS)
            if "revoked" in wanted:
                cond |= Q(status="left") & ~Q(leave_reason__in=mapping.COMPLETED_LEAVE_REASONS)
            qs = qs.filter(cond)
        for raw in params.get("category"):
            qs = qs.filter(programme__in=[token(v)[1] for v in raw.split(",")])
        if params.get("date"):
            qs = qs.filter(date_q("enrolled_on", params.get("date"), is_datetime=False))
        today = timezone.localdate()
        return page_of(qs.order_by("-pk"), params, lambda e: mapping.care_plan(e, today))

    def export(user):
        today = timezone.localdate()
        for e in _enrolments(user).order_by("pk").iterator(chunk_size=500):
            yield mapping.care_plan(e, today)

    register(ResourceKind(
        type="CarePlan",
        documentation="Programme follow-up plans (慢病/公卫项目管理): one per enrolment; the next follow-up "
                      "date is the scheduled activity (statusReason 'overdue' when past).",
        read=read, search=search, export=export, patient_compartment=True,
        search_params=[SearchParam("_id", "token", "Logical id (the enrolment's id)"),
                       SearchParam("patient", "reference", "The resident"),
                       SearchParam("subject", "reference", "The resident"),
                       SearchParam("status", "token", "active | completed | revoked"),
                       SearchParam("category", "token", "Programme: hypertension | diabetes | mental | tb"),
                       SearchParam("date", "date", "Enrolment date")],
    ))

    # --- Condition: programme enrolments --------------------------------------------------------------

    def _conditions_for(user, patient_id_lists, encounter_given: bool):
        if encounter_given:
            return []
        qs = _enrolments(user)
        for ids in patient_id_lists:
            qs = qs.filter(resident_id__in=ids)
        return [mapping.enrolment_condition(e) for e in qs.order_by("-enrolled_on", "-pk")[:1000]]

    def _read_condition(user, raw_id: str) -> dict | None:
        m = ENROL_ID.match(raw_id)
        if not m:
            return None
        e = _enrolments(user).filter(pk=int(m.group(1))).first()
        if e is None:
            raise not_found()
        audit_read(user, e.resident_id, "fhir condition")
        return mapping.enrolment_condition(e)

    def _export_conditions(user):
        for e in _enrolments(user).order_by("pk").iterator(chunk_size=500):
            yield mapping.enrolment_condition(e)

    condition_kind.add_source(condition_kind.Source(
        read=_read_condition, search=_conditions_for, export=_export_conditions,
        categories=("problem-list-item",)))

    # --- Observation: follow-up vitals ----------------------------------------------------------------

    def _visit(key: str, value_of):
        def to_fhir(v):
            return observation_mapping.build(f"fu-{v.pk}-{key}", key, patient_id=v.resident_id,
                                             effective=v.visit_date, performer_org=v.institution_id,
                                             **value_of(v))
        return to_fhir

    VISIT_FIELDS = {
        "bp": (Q(systolic__isnull=False, diastolic__isnull=False),
               lambda v: {"systolic": v.systolic, "diastolic": v.diastolic}),
        "glu": (Q(fasting_glucose__isnull=False), lambda v: {"value": v.fasting_glucose}),
        "wt": (Q(weight__isnull=False), lambda v: {"value": v.weight}),
        "hr": (Q(heart_rate__isnull=False), lambda v: {"value": v.heart_rate}),
    }
    for _key, (_cond, _value_of) in VISIT_FIELDS.items():
        add_stream(Stream("fu", _key, lambda user, c=_cond: queries.visible_visits(user).filter(c), "visit_date",
                          False, _visit(_key, _value_of)))
