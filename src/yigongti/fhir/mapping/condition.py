"""Condition ← the ICD-10 diagnoses of an encounter (category encounter-diagnosis, id ``enc-<encounter>-<n>``,
n = 0 the primary diagnosis). Programme enrolments (chronic) are added as problem-list items when that app's
queries exist (fhir/kinds/condition.py)."""
from __future__ import annotations

from yigongti.people.models import Encounter

from .. import systems
from .common import concept, ref, strip_empty
from .encounter import condition_id, diagnoses


def from_encounter(enc: Encounter, names: dict[str, str]) -> list[dict]:
    found = []
    for n, code in enumerate(diagnoses(enc)):
        found.append(strip_empty({
            "resourceType": "Condition",
            "id": condition_id(enc.pk, n),
            "verificationStatus": concept(systems.CONDITION_VERIFICATION, "confirmed"),
            "category": [concept(systems.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
            "code": concept(systems.codesystem(systems.ICD10), code, names.get(code)),
            "subject": ref("Patient", enc.resident_id),
            "encounter": ref("Encounter", enc.pk),
            "recordedDate": enc.visit_date.isoformat(),
            "asserter": ref("Practitioner", enc.doctor_id) if enc.doctor_id else None,
        }))
    return found
