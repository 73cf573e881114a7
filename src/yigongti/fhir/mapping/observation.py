"""Observation ← vital signs and measurements wherever they were recorded: health exams, encounters,
standalone measurements (people.Measurement), and later chronic follow-ups.

Blood pressure is the LOINC panel 85354-9 with components 8480-6 (systolic) and 8462-4 (diastolic); fasting
glucose 1558-6 (mmol/L), weight 29463-7 (kg), height 8302-2 (cm), BMI 39156-5 (kg/m2), heart rate 8867-4
(/min). Ids say where a value lives: ``exam-<id>-bp``, ``enc-<id>-glu``, ``m-<id>``. Incoming Observations
become people.Measurement rows (``from_fhir``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import systems
from ..errors import invalid
from .common import (
    coding,
    concept,
    instant,
    parse_datetime,
    quantity,
    ref,
    reference_target,
    strip_empty,
)

BP, SYSTOLIC, DIASTOLIC = "85354-9", "8480-6", "8462-4"
# key → (LOINC code, display, UCUM unit, category)
CODES = {
    "bp": (BP, "Blood pressure panel with all children optional", "mm[Hg]", "vital-signs"),
    "glu": ("1558-6", "Fasting glucose [Moles/volume] in Serum or Plasma", "mmol/L", "laboratory"),
    "wt": ("29463-7", "Body weight", "kg", "vital-signs"),
    "ht": ("8302-2", "Body height", "cm", "vital-signs"),
    "bmi": ("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "vital-signs"),
    "hr": ("8867-4", "Heart rate", "/min", "vital-signs"),
}
KEY_OF_CODE = {code: key for key, (code, *_rest) in CODES.items()}
# mg/dL of glucose → mmol/L (molar mass 180.16 g/mol)
GLUCOSE_MG_DL = Decimal("18.016")


def build(obs_id: str, key: str, *, patient_id: int, effective: dt.date | dt.datetime, value=None,
          systolic=None, diastolic=None, performer_org: int | None = None, encounter_id: int | None = None,
          identifier: dict | None = None, issued: dt.datetime | None = None) -> dict:
    code, display, unit, category = CODES[key]
    resource = {
        "resourceType": "Observation",
        "id": obs_id,
        "identifier": [identifier] if identifier else [],
        "status": "final",
        "category": [concept(systems.OBSERVATION_CATEGORY, category)],
        "code": {"coding": [coding(systems.LOINC, code, display)]},
        "subject": ref("Patient", patient_id),
        "encounter": ref("Encounter", encounter_id) if encounter_id else None,
        "effectiveDateTime": instant(effective) if isinstance(effective, dt.datetime) else effective.isoformat(),
        "issued": instant(issued) if issued else None,
        "performer": [ref("Organization", performer_org)] if performer_org else [],
    }
    if key == "bp":
        resource["component"] = [
            {"code": {"coding": [coding(systems.LOINC, SYSTOLIC, "Systolic blood pressure")]},
             "valueQuantity": quantity(systolic, unit)},
            {"code": {"coding": [coding(systems.LOINC, DIASTOLIC, "Diastolic blood pressure")]},
             "valueQuantity": quantity(diastolic, unit)},
        ]
    else:
        resource["valueQuantity"] = quantity(value, unit)
    return strip_empty(resource)


def _quantity_value(q: dict | None, field: str) -> Decimal:
    if not q or q.get("value") is None:
        raise invalid(f"{field}.value is required.", field, 422)
    return Decimal(str(q["value"]))


def from_fhir(resource: dict) -> dict:
    """Keyword arguments of people.measurements.record_measurement plus ``patient_id``, ``organization_id``,
    ``encounter_id``, ``external_id`` and ``identifier_system``."""
    if resource.get("status") not in ("final", "amended", "corrected", "preliminary"):
        raise invalid("Observation.status must be final, amended, corrected or preliminary.",
                      "Observation.status", 422)
    codes = [c.get("code") for c in (resource.get("code") or {}).get("coding") or []
             if c.get("system") == systems.LOINC]
    key = next((KEY_OF_CODE[c] for c in codes if c in KEY_OF_CODE), None)
    components = {c2.get("code"): comp for comp in resource.get("component") or []
                  for c2 in (comp.get("code") or {}).get("coding") or [] if c2.get("system") == systems.LOINC}
    if key is None and not codes and SYSTOLIC in components and DIASTOLIC in components:
        key = "bp"
    if key is None:
        supported = ", ".join(code for code, *_r in CODES.values())
        raise invalid(f"Observation.code: supported LOINC codes are {supported}.", "Observation.code", 422)
    code, _display, unit, _category = CODES[key]
    data: dict = {"code": code, "unit": unit}
    if key == "bp":
        if SYSTOLIC not in components or DIASTOLIC not in components:
            raise invalid("A blood pressure needs components 8480-6 and 8462-4.", "Observation.component", 422)
        data["systolic"] = _quantity_value(components[SYSTOLIC].get("valueQuantity"), "Observation.component")
        data["diastolic"] = _quantity_value(components[DIASTOLIC].get("valueQuantity"), "Observation.component")
    else:
        q = resource.get("valueQuantity")
        value = _quantity_value(q, "Observation.valueQuantity")
        given = (q.get("code") or q.get("unit") or unit).strip()
        if key == "glu" and given.lower() == "mg/dl":
            value = (value / GLUCOSE_MG_DL).quantize(Decimal("0.1"))
        elif given != unit:
            raise invalid(f"Observation.valueQuantity: the unit must be {unit} (UCUM).", "Observation.valueQuantity",
                          422)
        data["value"] = value
    effective = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start") \
        or resource.get("effectiveInstant")
    if not effective:
        raise invalid("Observation.effectiveDateTime is required.", "Observation.effectiveDateTime", 422)
    data["measured_at"] = parse_datetime(effective, "Observation.effectiveDateTime")
    data["patient_id"] = reference_target(resource.get("subject"), "Patient", "Observation.subject")
    data["encounter_id"] = reference_target(resource.get("encounter"), "Encounter", "Observation.encounter")
    for performer in resource.get("performer") or []:
        if "Organization/" in (performer.get("reference") or ""):
            data["organization_id"] = reference_target(performer, "Organization", "Observation.performer")
            break
    identifiers = [i for i in resource.get("identifier") or [] if i.get("value")]
    if identifiers:
        data["external_id"] = identifiers[0]["value"][:64]
        data["identifier_system"] = identifiers[0].get("system") or ""
    return data
