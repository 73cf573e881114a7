"""ServiceRequest and Task ← referrals.Referral (双向转诊). The referral form is the ServiceRequest (what is
asked: to see the patient, for a diagnosis, at another institution); its workflow is the Task (who must act
next, and where the referral stands), following the FHIR workflow pattern (Task.basedOn/focus the request).

Task.status from the referral state (rules/referral.py): draft and pending_approval → draft, submitted →
requested, accepted → accepted, received → in-progress, completed → completed, rejected → rejected,
cancelled → cancelled, expired (derived from the validity window) → failed; ``businessStatus`` carries the
platform's own state code and label. ServiceRequest.status: draft → draft, open states → active, completed
→ completed, rejected/cancelled/expired → revoked."""
from __future__ import annotations

from .. import systems
from .common import concept, instant, ref, strip_empty

TASK_STATUS = {"draft": "draft", "pending_approval": "draft", "submitted": "requested", "accepted": "accepted",
               "received": "in-progress", "completed": "completed", "rejected": "rejected",
               "cancelled": "cancelled", "expired": "failed"}
REQUEST_STATUS = {"draft": "draft", "pending_approval": "active", "submitted": "active", "accepted": "active",
                  "received": "active", "completed": "completed", "rejected": "revoked", "cancelled": "revoked",
                  "expired": "revoked"}
SNOMED = "http://snomed.info/sct"
REFERRAL = ("3457005", "Patient referral")


def _state(r) -> str:
    return getattr(r, "state", None) or r.status


def _label(state: str) -> str:
    from yigongti.referrals.models import EXPIRED_LABEL, Status

    return str(EXPIRED_LABEL) if state == "expired" else str(dict(Status.choices).get(state, state))


def _identifier(r) -> dict:
    return {"system": systems.sid("referral-number"), "value": r.number}


def to_service_request(r) -> dict:
    state = _state(r)
    codes = [r.primary_diagnosis, *[str(c) for c in r.other_diagnoses or []]]
    return strip_empty({
        "resourceType": "ServiceRequest",
        "id": str(r.pk),
        "meta": {"versionId": str(r.version), "lastUpdated": instant(r.updated_at)},
        "identifier": [_identifier(r)],
        "status": REQUEST_STATUS.get(state, "unknown"),
        "intent": "order",
        "category": [concept(SNOMED, *REFERRAL)],
        "code": concept(systems.codesystem("referral-type"), r.referral_type, str(r.get_referral_type_display())),
        "orderDetail": [concept(systems.codesystem("referral-direction"), r.direction, str(r.get_direction_display()))],
        "subject": ref("Patient", r.resident_id),
        "occurrenceDateTime": instant(r.appointment_at),
        "authoredOn": instant(r.submitted_at or r.created_at),
        "requester": ref("Practitioner", r.referring_doctor_id) if r.referring_doctor_id else
        ref("Organization", r.from_institution_id),
        "performer": [ref("Organization", r.to_institution_id)],
        "reasonCode": [concept(systems.codesystem(systems.ICD10), code) for code in codes if code],
        "note": [{"text": r.condition_summary}] if r.condition_summary else [],
    })


def to_task(r) -> dict:
    state = _state(r)
    reason = r.reject_reason if state == "rejected" else r.cancel_reason if state == "cancelled" else ""
    return strip_empty({
        "resourceType": "Task",
        "id": str(r.pk),
        "meta": {"versionId": str(r.version), "lastUpdated": instant(r.updated_at)},
        "identifier": [_identifier(r)],
        "basedOn": [ref("ServiceRequest", r.pk)],
        "status": TASK_STATUS.get(state, "requested"),
        "statusReason": {"text": reason} if reason else None,
        "businessStatus": concept(systems.codesystem("referral-state"), state, _label(state)),
        "intent": "order",
        "code": concept("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", "Fulfill the focal request"),
        "focus": ref("ServiceRequest", r.pk),
        "for": ref("Patient", r.resident_id),
        "executionPeriod": {"start": instant(r.received_at), "end": instant(r.completed_at)},
        "authoredOn": instant(r.submitted_at or r.created_at),
        "lastModified": instant(r.updated_at),
        "requester": ref("Organization", r.from_institution_id),
        "owner": ref("Practitioner", r.to_doctor_id) if r.to_doctor_id else ref("Organization", r.to_institution_id),
        "restriction": {"period": {"start": r.valid_from.isoformat() if r.valid_from else None,
                                   "end": r.valid_until.isoformat() if r.valid_until else None}},
    })
