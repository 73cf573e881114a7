"""ServiceRequest is one kind over referral forms (id = the referral's id) and diagnostic reading requests
(``dx-<id>``): read and search find both, each with its category, code, status, requester and performer; the
parameters narrow across both; paging walks the merged list newest first without repeating or skipping; what a
user sees is what referrals.queries and diagnostics.queries allow, and a read is audited."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yigongti.audit.models import AuditEntry
from yigongti.fhir import registry

from .conftest import assert_valid, body

CHINA = ZoneInfo("Asia/Shanghai")
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(registry.get("Task") is None or registry.get("DiagnosticReport") is None,
                                 reason="the referrals or diagnostics app is not there")]
SNOMED = "http://snomed.info/sct"
DCM = "http://dicom.nema.org/resources/ontology/DCM"


@pytest.fixture
def world(scenario):
    from tests.diagnostics import helpers as dx
    from tests.referrals import helpers as referrals
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.models import Request
    from yigongti.referrals.models import Referral

    s = scenario
    patient = referrals.resident(s)
    referral = referrals.submitted(s, patient=patient)
    ecg = dx.request(s, "ECG12", patient=patient, priority="stat", clinical_info="胸闷2小时，心悸")
    lab = dx.published(s, "LAB-CBC", patient=patient)
    ct = dx.request(s, "CT-HEAD", patient=patient, priority="urgent")
    actions.cancel_request(s.village_doctor_a, ct, reason="患者拒绝检查")
    # distinct request times (and one tie between a referral and a reading request, broken by source then id)
    base = dt.datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=base + dt.timedelta(hours=1))
    Request.objects.filter(pk=ecg.pk).update(requested_at=base + dt.timedelta(hours=3))
    Request.objects.filter(pk=lab.pk).update(requested_at=base + dt.timedelta(hours=1))
    Request.objects.filter(pk=ct.pk).update(requested_at=base - dt.timedelta(days=40))
    return s, patient, referral, ecg, lab, ct


def ids(bundle) -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def test_one_search_finds_referrals_and_reading_requests_newest_first(world, fhir):
    s, patient, referral, ecg, lab, ct = world
    hospital = fhir(s.county_specialist)  # receives the referral and reads at the centre: sees both kinds
    found = assert_valid(body(hospital.get("/fhir/ServiceRequest", {"patient": patient.pk})))
    assert found["total"] == 4
    assert ids(found) == [f"dx-{ecg.pk}", str(referral.pk), f"dx-{lab.pk}", f"dx-{ct.pk}"]

    walked = []
    for offset in range(0, 5):
        page = body(hospital.get("/fhir/ServiceRequest", {"patient": patient.pk, "_count": 1, "_offset": offset}))
        assert page["total"] == 4
        walked += ids(page)
    assert walked == ids(found)
    two = body(hospital.get("/fhir/ServiceRequest", {"patient": patient.pk, "_count": 2, "_offset": 2}))
    assert ids(two) == ids(found)[2:]
    assert body(hospital.get("/fhir/ServiceRequest", {"patient": patient.pk, "_count": 0}))["total"] == 4
    assert ids(body(hospital.get("/fhir/ServiceRequest", {"_id": f"dx-{lab.pk},{referral.pk},dx-x,{ecg.pk}x"}))) \
        == [str(referral.pk), f"dx-{lab.pk}"]


def test_a_reading_request_reads_as_a_service_request(world, fhir):
    s, patient, referral, ecg, lab, ct = world
    doctor = fhir(s.village_doctor_a)
    sr = assert_valid(body(doctor.get(f"/fhir/ServiceRequest/dx-{ecg.pk}")))
    assert sr["status"] == "active" and sr["intent"] == "order" and sr["priority"] == "stat"
    assert sr["category"][0]["coding"][0] == {"system": SNOMED, "code": "29303009",
                                              "display": "Electrocardiographic procedure"}
    codes = {(c["system"], c["code"]) for c in sr["code"]["coding"]}
    assert {("http://loinc.org", "11524-6"), (DCM, "ECG")} <= codes
    assert sr["subject"]["reference"] == f"Patient/{patient.pk}"
    assert sr["requester"]["reference"] == f"Practitioner/{s.village_doctor_a.pk}"
    assert sr["performer"] == [{"reference": f"Organization/{s.county_hospital.pk}"}]
    assert sr["reasonCode"] == [{"text": "胸闷2小时，心悸"}]
    assert sr["identifier"][0]["value"] == ecg.number and sr["authoredOn"].startswith("2026-11-02T12:00")
    assert AuditEntry.objects.filter(action="read", object_type="diagnostics.Request", object_id=str(ecg.pk),
                                     resident_id=patient.pk, channel="fhir", user=s.village_doctor_a).exists()

    done = assert_valid(body(doctor.get(f"/fhir/ServiceRequest/dx-{lab.pk}")))
    assert done["status"] == "completed" and done["category"][0]["coding"][0]["code"] == "108252007"
    assert done["code"]["coding"][0] == {"system": "http://loinc.org", "code": "58410-2", "display": "血常规"}
    assert not any(c["system"] == DCM for c in done["code"]["coding"])
    assert {"reference": f"Practitioner/{s.county_specialist.pk}"} in done["performer"]
    cancelled = assert_valid(body(doctor.get(f"/fhir/ServiceRequest/dx-{ct.pk}")))
    assert cancelled["status"] == "revoked" and cancelled["priority"] == "urgent"
    assert "患者拒绝检查" in cancelled["note"][0]["text"]
    assert cancelled["category"][0]["coding"][0]["code"] == "363679005"

    # the report of a reading points at its request
    report = body(doctor.get(f"/fhir/DiagnosticReport/{lab.pk}"))
    assert report["basedOn"] == [{"reference": f"ServiceRequest/dx-{lab.pk}"}]
    # the referral keeps its id and its reading
    form = assert_valid(body(fhir(s.county_specialist).get(f"/fhir/ServiceRequest/{referral.pk}")))
    assert form["category"][0]["coding"][0]["code"] == "3457005" and form["identifier"][0]["value"] == referral.number
    for missing in (f"dx-{referral.pk + 10_000}", "dx-", "dx-1-2", "lab-1", f"xx-{ecg.pk}", "abc"):
        assert doctor.get(f"/fhir/ServiceRequest/{missing}").status_code == 404


@pytest.mark.parametrize("params, expected", [
    ({"category": "3457005"}, ["referral"]),
    ({"category": f"{SNOMED}|108252007"}, ["lab"]),
    ({"category": "363679005,29303009"}, ["ecg", "ct"]),
    ({"category": "http://other|363679005"}, []),
    ({"category": "3457005", "code": "inpatient"}, ["referral"]),
    ({"code": "http://loinc.org|58410-2"}, ["lab"]),
    ({"code": f"{DCM}|CT"}, ["ct"]),
    ({"code": "ECG"}, ["ecg"]),
    ({"code": "LAB-CBC"}, ["lab"]),
    ({"code": "inpatient"}, ["referral"]),
    ({"status": "active"}, ["ecg", "referral"]),
    ({"status": "completed,revoked"}, ["lab", "ct"]),
    ({"authored": "ge2026-11-02"}, ["ecg", "referral", "lab"]),
    ({"authored": "lt2026-11-01"}, ["ct"]),
    ({"identifier": "{ecg.number}"}, ["ecg"]),
    ({"identifier": "{referral.number}"}, ["referral"]),
    ({"performer": "Organization/{hospital}"}, ["ecg", "referral", "lab", "ct"]),
    ({"performer": "Practitioner/{reader}"}, ["lab"]),
    ({"requester": "Practitioner/{village}"}, ["ecg", "lab", "ct"]),
    ({"requester": "Organization/{centre_1}"}, ["referral"]),
])
def test_the_parameters_narrow_both_kinds(world, fhir, params, expected):
    s, patient, referral, ecg, lab, ct = world
    names = {"referral": str(referral.pk), "ecg": f"dx-{ecg.pk}", "lab": f"dx-{lab.pk}", "ct": f"dx-{ct.pk}"}
    values = {"ecg": ecg, "referral": referral, "hospital": s.county_hospital.pk, "reader": s.county_specialist.pk,
              "village": s.village_doctor_a.pk, "centre_1": s.centre_1.pk}
    query = {k: v.format(**values) for k, v in params.items()}
    found = body(fhir(s.county_specialist).get("/fhir/ServiceRequest", {**query, "patient": patient.pk},
                                                HTTP_PREFER="handling=strict"))
    assert ids(found) == [names[n] for n in expected] and found["total"] == len(expected)


def test_each_user_sees_what_the_apps_queries_allow(world, fhir):
    s, patient, referral, ecg, lab, ct = world
    outsider = fhir(s.village_doctor_c)
    assert body(outsider.get("/fhir/ServiceRequest"))["total"] == 0
    for raw in (str(referral.pk), f"dx-{ecg.pk}", f"dx-{lab.pk}"):
        assert outsider.get(f"/fhir/ServiceRequest/{raw}").status_code == 404
    assert not AuditEntry.objects.filter(user=s.village_doctor_c, action="read").exists()
    # the family doctor of the village sees the resident's requests of both kinds (area scope)
    village = body(fhir(s.village_doctor_a).get("/fhir/ServiceRequest"))
    assert set(ids(village)) == {str(referral.pk), f"dx-{ecg.pk}", f"dx-{lab.pk}", f"dx-{ct.pk}"}
    # a draft referral is its author's only (referrals.queries), also as a ServiceRequest
    from tests.referrals import helpers as referrals

    draft = referrals.draft(s, patient=patient)
    assert str(draft.pk) not in ids(body(fhir(s.county_specialist).get("/fhir/ServiceRequest", {"_count": 50})))
    mine = body(fhir(s.township_doctor).get("/fhir/ServiceRequest", {"status": "draft"}))
    assert ids(mine) == [str(draft.pk)]


def test_the_capability_statement_describes_both_sources(fhir):
    statement = body(fhir().get("/fhir/metadata"))
    entry = next(r for r in statement["rest"][0]["resource"] if r["type"] == "ServiceRequest")
    assert "dx-<id>" in entry["documentation"] and "双向转诊单" in entry["documentation"]
    params = {p["name"]: p["documentation"] for p in entry["searchParam"]}
    assert set(params) == {"_id", "patient", "subject", "authored", "status", "requester", "performer", "category",
                           "code", "identifier"}
    assert "108252007" in params["category"] and "3457005" in params["category"] and "LOINC" in params["code"]
    assert [r["type"] for r in statement["rest"][0]["resource"]].count("ServiceRequest") == 1
