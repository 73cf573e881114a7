"""/api/v1/diagnostics/requests/: create, list, claim, report (with lab results), publish, study upload; field
errors in the one JSON error shape; 403 for a step that belongs to the other side; recognition over the API."""
import pytest

from yigongti.audit.models import AuditEntry

from . import helpers

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_whole_path_over_the_api(scenario, client):
    s = scenario
    helpers.centre(s)
    patient = helpers.resident(s)
    client.force_login(s.village_doctor_a)
    bad = _post(client, "/api/v1/diagnostics/requests/", {"resident": patient.pk, "institution": s.clinic_a.pk,
                                                          "test": "NOPE"})
    assert bad.status_code == 400 and "test" in bad.json()["error"]["fields"]
    created = _post(client, "/api/v1/diagnostics/requests/", {
        "resident": patient.pk, "institution": s.clinic_a.pk, "test": "LAB-BMP", "priority": "stat",
        "clinical_info": "乏力、心悸"})
    assert created.status_code == 201, created.content
    body = created.json()
    rid = body["id"]
    assert (body["status"], body["loinc"], body["modality"]) == ("requested", "51990-0", "lab")
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.models import Request

    r = Request.objects.get(pk=rid)
    sp = actions.collect_specimen(s.village_doctor_a, r)
    refused = _post(client, f"/api/v1/diagnostics/requests/{rid}/claim/")
    assert refused.status_code == 403

    client.force_login(s.county_specialist)
    listed = client.get("/api/v1/diagnostics/requests/", {"worklist": "1", "modality": "lab"}).json()
    assert [x["id"] for x in listed["results"]] == [rid]
    actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
    actions.mark_tested(s.county_specialist, sp)
    assert _post(client, f"/api/v1/diagnostics/requests/{rid}/claim/").json()["status"] == "claimed"
    wrong = _post(client, f"/api/v1/diagnostics/requests/{rid}/report/", {"results": {"K": "x"}})
    assert wrong.status_code == 400 and "results.K" in wrong.json()["error"]["fields"]
    signed = _post(client, f"/api/v1/diagnostics/requests/{rid}/report/", {
        "results": {"K": "2.5", "NA": "139", "GLU": "5.5", "CREA": "90"}, "impression": "低钾血症", "sign": True})
    assert signed.status_code == 200 and signed.json()["status"] == "reported"
    published = _post(client, f"/api/v1/diagnostics/requests/{rid}/publish/").json()
    assert published["status"] == "published"
    results = {x["code"]: x["flag"] for x in published["reports"][0]["results"]}
    assert results == {"K": "LL", "NA": "N", "GLU": "N", "CREA": "N"}
    assert published["critical_values"][0]["description"].startswith("钾 2.5")

    client.force_login(s.village_doctor_a)
    assert client.get(f"/api/v1/diagnostics/requests/{rid}/").json()["reports"][0]["impression"] == "低钾血症"
    again = _post(client, "/api/v1/diagnostics/requests/", {"resident": patient.pk, "institution": s.clinic_a.pk,
                                                            "test": "LAB-BMP"})
    assert again.status_code == 400 and "repeat_reason" in again.json()["error"]["fields"]
    assert AuditEntry.objects.filter(action="read", object_type="diagnostics.Request", object_id=str(rid)).exists()


def test_uploading_a_study_over_the_api(scenario, client):
    s = scenario
    r = helpers.request(s, "CT-HEAD")
    client.force_login(s.village_doctor_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(f"/api/v1/diagnostics/requests/{r.pk}/study/",
                     {"file": SimpleUploadedFile("head.dcm", helpers.dicom("CT"), "application/dicom")})
    assert ok.status_code == 201, ok.content
    bad = client.post(f"/api/v1/diagnostics/requests/{r.pk}/study/",
                      {"file": SimpleUploadedFile("head.pdf", helpers.ecg_pdf(), "application/pdf")})
    assert bad.status_code == 400 and "file" in bad.json()["error"]["fields"]
    client.force_login(s.village_doctor_c)
    assert client.get(f"/api/v1/diagnostics/requests/{r.pk}/").status_code == 404
