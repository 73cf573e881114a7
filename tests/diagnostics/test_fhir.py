"""FHIR: published readings as DiagnosticReport (with lab Observations and their interpretation), DICOM studies
as ImagingStudy; every resource validates against fhir.resources R4B; scoped like the pages."""
import pytest

from tests.fhir.conftest import FhirClient, assert_valid, body

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(scenario):
    from yigongti.diagnostics import actions

    s = scenario
    ecg = helpers.published(s, impression="窦性心律")
    lab = helpers.request(s, "LAB-BMP", patient=ecg.resident)
    sp = actions.collect_specimen(s.village_doctor_a, lab)
    actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
    actions.mark_tested(s.county_specialist, sp)
    actions.claim_request(s.county_specialist, lab)
    actions.save_report(s.county_specialist, lab, impression="高钾", results={"K": "6.8", "NA": "140"})
    actions.sign_report(s.county_specialist, lab)
    actions.publish_report(s.county_specialist, lab)
    actions.revise_report(s.county_specialist, lab, reason="补充", impression="高钾血症")
    ct = helpers.request(s, "CT-HEAD", patient=ecg.resident)
    actions.attach_study(s.village_doctor_a, ct, filename="a.dcm", content=helpers.dicom("CT"))
    return s, ecg, lab, ct


def test_reports_studies_and_lab_observations(world, client):
    s, ecg, lab, ct = world
    fhir = FhirClient(client, s.village_doctor_a)
    found = body(fhir.get("/fhir/DiagnosticReport", {"patient": str(ecg.resident_id)}))
    assert_valid(found)
    reports = {e["resource"]["id"]: e["resource"] for e in found["entry"]}
    assert set(reports) == {str(ecg.pk), str(lab.pk)}
    assert reports[str(lab.pk)]["status"] == "amended" and reports[str(lab.pk)]["conclusion"] == "高钾血症"
    assert reports[str(ecg.pk)]["code"]["coding"][0]["code"] == "11524-6"
    obs_ref = reports[str(lab.pk)]["result"][0]["reference"]
    obs = assert_valid(body(fhir.get(f"/fhir/{obs_ref}")))
    flags = {o["code"]["coding"][0]["code"]: o.get("interpretation", [{}])[0].get("coding", [{}])[0].get("code")
             for o in [obs]}
    assert flags == {"2823-3": "HH"} or flags == {"2951-2": "N"}
    listed = body(fhir.get("/fhir/Observation", {"patient": str(ecg.resident_id)}))
    assert_valid(listed)
    assert sum(1 for e in listed["entry"] if e["resource"]["id"].startswith("lab-")) == 2
    lab_only = body(fhir.get("/fhir/DiagnosticReport", {"category": "LAB", "status": "amended"}))
    assert [e["resource"]["id"] for e in lab_only["entry"]] == [str(lab.pk)]
    study = assert_valid(body(fhir.get(f"/fhir/ImagingStudy/{ct.pk}")))
    assert study["numberOfInstances"] == 1 and study["modality"][0]["code"] == "CT"
    assert study["identifier"][0]["value"].startswith("urn:oid:")
    for kind in ("DiagnosticReport", "ImagingStudy"):
        for name, value in [("_id", "1"), ("identifier", "x"), ("code", "x"), ("date", "2026"), ("subject", "1")]:
            r = fhir.get(f"/fhir/{kind}", {name: value}, HTTP_PREFER="handling=strict")
            assert r.status_code == 200, (kind, name, r.content)
    outsider = FhirClient(client, s.village_doctor_c)
    assert outsider.get(f"/fhir/DiagnosticReport/{ecg.pk}").status_code == 404
    assert outsider.get(f"/fhir/ImagingStudy/{ct.pk}").status_code == 404
    assert outsider.get(f"/fhir/{obs_ref}").status_code == 404
