"""Programme records (chronic) as FHIR: an enrolment is a Condition (problem-list item, ``enrol-<id>``) and a
CarePlan (the follow-up plan: the managing institution and doctor, the next follow-up date as its scheduled
activity, id = the enrolment's id); follow-up visits give Observations (``fu-<id>-bp|glu|wt|hr``, built by
fhir/kinds/chronic.py with mapping/observation.build)."""
from __future__ import annotations

import datetime as dt

from .. import systems
from .common import concept, ref, strip_empty

LEFT_CLINICAL = {"treatment_finished": "resolved", "diagnosis_revised": "inactive", "aged_out": "resolved"}
# leaving because the plan ran its course (treatment finished, a child reaching 7) completes the CarePlan
COMPLETED_LEAVE_REASONS = ("treatment_finished", "aged_out")


def programme_concept(e) -> dict:
    return concept(systems.codesystem("programme"), e.programme, str(e.get_programme_display()))


def enrolment_condition(e) -> dict:
    active = e.status == "active"
    clinical = "active" if active else LEFT_CLINICAL.get(e.leave_reason, "inactive")
    verification = "refuted" if e.leave_reason == "diagnosis_revised" else "confirmed"
    code = (concept(systems.codesystem(systems.ICD10), e.icd10.code, e.icd10.name) if e.icd10_id
            else {"text": str(e.get_programme_display())})
    return strip_empty({
        "resourceType": "Condition",
        "id": f"enrol-{e.pk}",
        "clinicalStatus": concept(systems.CONDITION_CLINICAL, clinical),
        "verificationStatus": concept(systems.CONDITION_VERIFICATION, verification),
        "category": [concept(systems.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"),
                     programme_concept(e)],
        "code": code,
        "subject": ref("Patient", e.resident_id),
        "onsetDateTime": e.diagnosis_date.isoformat() if e.diagnosis_date else None,
        "abatementDateTime": e.left_on.isoformat() if e.left_on and not active else None,
        "recordedDate": e.enrolled_on.isoformat(),
        "asserter": ref("Practitioner", e.managing_doctor_id) if e.managing_doctor_id else None,
    })


def care_plan(e, today: dt.date) -> dict:
    active = e.status == "active"
    activity = []
    if active and e.next_due:
        overdue = e.next_due < today
        activity.append({"detail": {
            "kind": "Appointment",
            "code": concept(systems.codesystem("service"), f"followup_{e.programme}",
                            f"{e.get_programme_display()}随访"),
            "status": "scheduled",
            "statusReason": {"text": "overdue"} if overdue else None,
            "scheduledPeriod": {"start": e.next_due.isoformat()},
            "performer": [ref("Practitioner", e.managing_doctor_id) if e.managing_doctor_id
                          else ref("Organization", e.managing_institution_id)],
            "description": f"last visit {e.last_visit_on.isoformat()}" if e.last_visit_on else None,
        }})
    return strip_empty({
        "resourceType": "CarePlan",
        "id": str(e.pk),
        "meta": {"versionId": str(e.version)},
        "status": "active" if active else ("completed" if e.leave_reason in COMPLETED_LEAVE_REASONS else "revoked"),
        "intent": "plan",
        "category": [programme_concept(e)],
        "title": f"{e.get_programme_display()}健康管理",
        "subject": ref("Patient", e.resident_id),
        "period": {"start": e.enrolled_on.isoformat(), "end": e.left_on.isoformat() if e.left_on else None},
        "author": ref("Organization", e.managing_institution_id),
        "contributor": [ref("Practitioner", e.managing_doctor_id)] if e.managing_doctor_id else [],
        "addresses": [ref("Condition", f"enrol-{e.pk}")],
        "activity": activity,
    })
