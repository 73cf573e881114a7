"""Encounter ↔ people.Encounter (a visit or a stay with its cost breakdown).

class: v3 ActCode AMB / IMP / EMER; period: visit (admission) and discharge dates; diagnosis: references to the
Conditions derived from the encounter's ICD-10 codes (``Condition/enc-<id>-<n>``, rank 1 the primary); the
HIS's encounter number as identifier (system per institution); costs in an extension (yuan, CNY) because the
indicators (均次费用, 药占比) read them. Incoming diagnoses are taken from ``reasonCode`` or from contained
Conditions referenced by ``diagnosis`` (ICD-10 codings of the platform's catalogue)."""
from __future__ import annotations

from decimal import Decimal

from yigongti.people.models import Encounter, EncounterKind, EncounterSource

from .. import systems
from ..errors import invalid
from .common import coding, concept, meta, parse_date, ref, reference_target, strip_empty

CLASS = {EncounterKind.OUTPATIENT: ("AMB", "ambulatory"), EncounterKind.INPATIENT: ("IMP", "inpatient encounter"),
         EncounterKind.EMERGENCY: ("EMER", "emergency")}
KIND = {code: kind for kind, (code, _display) in CLASS.items()}
COSTS = ("total_cost", "drug_cost", "consumables_cost", "medical_service_income", "insurance_paid")
COST_NAMES = {"total_cost": "totalCost", "drug_cost": "drugCost", "consumables_cost": "consumablesCost",
              "medical_service_income": "medicalServiceIncome", "insurance_paid": "insurancePaid"}


def condition_id(encounter_id: int, n: int) -> str:
    return f"enc-{encounter_id}-{n}"


def diagnoses(enc: Encounter) -> list[str]:
    return [enc.primary_diagnosis, *[str(c) for c in enc.other_diagnoses or []]]


def to_fhir(enc: Encounter) -> dict:
    code, display = CLASS.get(enc.kind, ("AMB", "ambulatory"))
    in_progress = enc.kind == EncounterKind.INPATIENT and not enc.discharge_date
    identifiers = []
    if enc.external_id:
        identifiers.append({"system": systems.his_encounter(enc.institution.code), "value": enc.external_id})
    costs = [{"url": COST_NAMES[name], "valueMoney": {"value": float(getattr(enc, name)), "currency": "CNY"}}
             for name in COSTS]
    return strip_empty({
        "resourceType": "Encounter",
        "id": str(enc.pk),
        "meta": meta(enc.version, enc.updated_at),
        "extension": [{"url": systems.extension("encounter-costs"), "extension": costs},
                      {"url": systems.extension("encounter-source"), "valueCode": enc.source},
                      {"url": systems.extension("tcm"), "valueBoolean": bool(enc.is_tcm)}],
        "identifier": identifiers,
        "status": "in-progress" if in_progress else "finished",
        "class": coding(systems.V3_ACT_CODE, code, display),
        "subject": ref("Patient", enc.resident_id),
        "participant": [{"individual": ref("Practitioner", enc.doctor_id)}] if enc.doctor_id else [],
        "period": {"start": enc.visit_date.isoformat(),
                   "end": enc.discharge_date.isoformat() if enc.discharge_date else None},
        "diagnosis": [{"condition": ref("Condition", condition_id(enc.pk, n)), "rank": n + 1,
                       "use": concept(systems.DIAGNOSIS_ROLE, "DD" if enc.kind == EncounterKind.INPATIENT and n == 0
                                      else "billing")}
                      for n, _code in enumerate(diagnoses(enc))],
        "serviceProvider": ref("Organization", enc.institution_id),
    })


def _icd_codes(resource: dict) -> list[str]:
    icd = systems.codesystem(systems.ICD10)
    contained = {f"#{c.get('id')}": c for c in resource.get("contained") or [] if c.get("resourceType") == "Condition"}
    found: list[tuple[int, str]] = []
    for n, diagnosis in enumerate(resource.get("diagnosis") or []):
        target = (diagnosis.get("condition") or {}).get("reference", "")
        condition = contained.get(target)
        if condition is None:
            raise invalid("Encounter.diagnosis must reference a contained Condition with an ICD-10 code.",
                          f"Encounter.diagnosis[{n}]", 422)
        codes = [c.get("code") for c in (condition.get("code") or {}).get("coding") or []
                 if c.get("system") in (icd, "http://hl7.org/fhir/sid/icd-10") and c.get("code")]
        if codes:
            found.append((diagnosis.get("rank") or 1000 + n, codes[0]))
    found.sort(key=lambda pair: pair[0])
    codes = [code for _rank, code in found]
    for reason in resource.get("reasonCode") or []:
        codes.extend(c.get("code") for c in reason.get("coding") or []
                     if c.get("system") in (icd, "http://hl7.org/fhir/sid/icd-10") and c.get("code"))
    return list(dict.fromkeys(codes))


def from_fhir(resource: dict) -> dict:
    """Keyword arguments of people.actions.record_encounter / ingest_encounter plus ``patient_id``,
    ``organization_id``, ``external_id``, ``identifier_system`` and ``practitioner_id`` for the kind to
    resolve."""
    data: dict = {}
    klass = (resource.get("class") or {}).get("code")
    if klass not in KIND:
        raise invalid("Encounter.class must be AMB, IMP or EMER (v3 ActCode).", "Encounter.class", 422)
    data["kind"] = KIND[klass]
    period = resource.get("period") or {}
    data["visit_date"] = parse_date(period.get("start"), "Encounter.period.start")
    data["discharge_date"] = parse_date(period.get("end"), "Encounter.period.end")
    if data["kind"] != EncounterKind.INPATIENT:
        data["discharge_date"] = None
    codes = _icd_codes(resource)
    data["primary_diagnosis"] = codes[0] if codes else ""
    data["other_diagnoses"] = codes[1:]
    data["patient_id"] = reference_target(resource.get("subject"), "Patient", "Encounter.subject")
    data["organization_id"] = reference_target(resource.get("serviceProvider"), "Organization",
                                               "Encounter.serviceProvider")
    for participant in resource.get("participant") or []:
        individual = participant.get("individual")
        if individual and "Practitioner/" in (individual.get("reference") or ""):
            data["practitioner_id"] = reference_target(individual, "Practitioner", "Encounter.participant")
            break
    identifiers = [i for i in resource.get("identifier") or [] if i.get("value")]
    if identifiers:
        data["external_id"] = identifiers[0]["value"][:64]
        data["identifier_system"] = identifiers[0].get("system") or ""
    for ext in resource.get("extension") or []:
        if ext.get("url") == systems.extension("encounter-costs"):
            names = {v: k for k, v in COST_NAMES.items()}
            for part in ext.get("extension") or []:
                if part.get("url") in names and "valueMoney" in part:
                    data[names[part["url"]]] = Decimal(str(part["valueMoney"].get("value", 0)))
        elif ext.get("url") == systems.extension("tcm") and "valueBoolean" in ext:
            data["is_tcm"] = bool(ext["valueBoolean"])
    return data


def source_of(enc: Encounter) -> str:
    return enc.source or EncounterSource.YIGONGTI
