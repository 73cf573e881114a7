"""DiagnosticReport, ImagingStudy and laboratory Observations ← diagnostics (shared diagnostic centres).

A published (or signed, for the centre's readers) request is a DiagnosticReport: ``code`` the test's LOINC code,
``category`` LAB / CG (cardiology: ECG) / RAD, ``status`` preliminary (signed, not yet published), final, or
amended once revised; ``conclusion`` the impression; ``result`` the lab Observations. A request with DICOM
files is an ImagingStudy (identifier the DICOM StudyInstanceUID, series grouped by SeriesInstanceUID, modality
in the DICOM DCM code system). A lab result line is an Observation ``lab-<id>-lab`` with its reference range
and HL7 interpretation (N, L, H, LL, HH). Ids of DiagnosticReport and ImagingStudy are the request's id."""
from __future__ import annotations

from .. import systems
from .common import coding, concept, instant, quantity, ref, strip_empty

V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
CATEGORY = {"lab": ("LAB", "Laboratory"), "ecg": ("CG", "Cardiac Catheterization"), "dr": ("RAD", "Radiology"),
            "us": ("RAD", "Radiology"), "ct": ("RAD", "Radiology")}
MODALITY = {"dr": ("DX", "Digital Radiography"), "us": ("US", "Ultrasound"), "ct": ("CT", "Computed Tomography"),
            "ecg": ("ECG", "Electrocardiography")}
FLAG = {"N": "Normal", "L": "Low", "H": "High", "LL": "Critical low", "HH": "Critical high"}


def report_status(r, current) -> str:
    if r.status == "published":
        return "amended" if current is not None and current.revision > 1 else "final"
    return "preliminary"


def to_diagnostic_report(r, current, results=()) -> dict:
    code, display = CATEGORY[r.modality]
    return strip_empty({
        "resourceType": "DiagnosticReport",
        "id": str(r.pk),
        "meta": {"versionId": str(r.version), "lastUpdated": instant(r.updated_at)},
        "identifier": [{"system": systems.sid("diagnostic-request-number"), "value": r.number}],
        "status": report_status(r, current),
        "category": [concept(V2_0074, code, display)],
        "code": {"coding": [coding(systems.LOINC, r.test.loinc, r.test.name)] if r.test.loinc else [],
                 "text": r.test.name},
        "subject": ref("Patient", r.resident_id),
        "effectiveDateTime": instant(r.requested_at),
        "issued": instant(r.published_at or r.reported_at),
        "performer": [ref("Organization", r.centre.institution_id)],
        "resultsInterpreter": [ref("Practitioner", r.reader_id)] if r.reader_id else [],
        "result": [ref("Observation", f"lab-{x.pk}-lab") for x in results],
        "conclusion": current.impression if current else None,
        "presentedForm": [],
    })


def to_lab_observation(x, r) -> dict:
    a = x.analyte
    range_ = {}
    if a.low is not None:
        range_["low"] = quantity(a.low, a.unit)
    if a.high is not None:
        range_["high"] = quantity(a.high, a.unit)
    return strip_empty({
        "resourceType": "Observation",
        "id": f"lab-{x.pk}-lab",
        "status": "amended" if x.report.revision > 1 else "final",
        "category": [concept(systems.OBSERVATION_CATEGORY, "laboratory")],
        "code": {"coding": [coding(systems.LOINC, a.loinc, a.name)], "text": a.name},
        "subject": ref("Patient", r.resident_id),
        "effectiveDateTime": instant(r.requested_at),
        "issued": instant(x.report.published_at or x.report.signed_at),
        "performer": [ref("Organization", r.centre.institution_id)],
        "valueQuantity": quantity(x.value, a.unit),
        "interpretation": [concept(INTERPRETATION, x.flag, FLAG.get(x.flag))] if x.flag else [],
        "referenceRange": [range_] if range_ else [],
    })


def to_imaging_study(r, files) -> dict:
    series: dict[str, list] = {}
    for f in files:
        series.setdefault(f.series_uid, []).append(f)
    study_uid = files[0].study_uid if files else ""

    def modality(f):
        code = (f.meta or {}).get("Modality") or MODALITY.get(r.modality, ("OT", ""))[0]
        return coding(DCM, code)

    return strip_empty({
        "resourceType": "ImagingStudy",
        "id": str(r.pk),
        "identifier": [{"system": "urn:dicom:uid", "value": f"urn:oid:{study_uid}"}] if study_uid else [],
        "status": "available",
        "modality": list({f"{modality(f)['code']}": modality(f) for f in files}.values()),
        "subject": ref("Patient", r.resident_id),
        "started": instant(r.requested_at),
        "referrer": ref("Practitioner", r.requesting_doctor_id) if r.requesting_doctor_id else None,
        "interpreter": [ref("Practitioner", r.reader_id)] if r.reader_id else [],
        "numberOfSeries": len(series),
        "numberOfInstances": len(files),
        "procedureCode": [{"coding": [coding(systems.LOINC, r.test.loinc, r.test.name)]}] if r.test.loinc else [],
        "description": r.test.name,
        "series": [{"uid": uid, "modality": modality(items[0]), "numberOfInstances": len(items),
                    "instance": [{"uid": f.instance_uid,
                                  "sopClass": coding("urn:ietf:rfc:3986", "urn:oid:1.2.840.10008.5.1.4.1.1.1.1")}
                                 for f in items]}
                   for uid, items in series.items()],
    })
