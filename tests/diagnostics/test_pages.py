"""The pages: request form (with the recognised earlier result), worklist, report editor, critical value,
print, label, roster — thin views over the actions; bad input answers 400 with field errors, never 500."""
import pytest

from yigongti.diagnostics import actions
from yigongti.diagnostics.models import CriticalValue, Request

from . import helpers

pytestmark = pytest.mark.django_db


def test_a_village_doctor_requests_an_ecg_with_its_pdf(scenario, client):
    s = scenario
    helpers.centre(s)
    p = helpers.resident(s)
    client.force_login(s.village_doctor_a)
    page = client.get(f"/diagnostics/new/?resident={p.pk}")
    assert page.status_code == 200 and "申请检查检验" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    ecg = helpers.test_of("ECG12")
    response = client.post("/diagnostics/new/", {
        "resident": p.pk, "institution": s.clinic_a.pk, "test": ecg.pk, "priority": "urgent",
        "clinical_info": "胸闷2小时", "study": SimpleUploadedFile("ecg.pdf", helpers.ecg_pdf(), "application/pdf")})
    assert response.status_code == 302, response.content.decode()[:2000]
    r = Request.objects.get()
    assert r.files.get().kind == "pdf"
    bad = client.post("/diagnostics/new/", {"resident": p.pk, "institution": s.clinic_a.pk, "test": ecg.pk,
                                            "priority": "whenever"})
    assert bad.status_code == 400


def test_the_form_shows_the_earlier_result_and_asks_for_a_reason(scenario, client):
    s = scenario
    earlier = helpers.published(s)
    client.force_login(s.village_doctor_a)
    partial = client.get(f"/diagnostics/new/?resident={earlier.resident_id}&test={earlier.test_id}",
                         HTTP_HX_REQUEST="true")
    assert earlier.number in partial.content.decode() and "采用既往结果" in partial.content.decode()
    data = {"resident": earlier.resident_id, "institution": s.clinic_a.pk, "test": earlier.test_id,
            "priority": "routine"}
    refused = client.post("/diagnostics/new/", data)
    assert refused.status_code == 400 and "请说明理由" in refused.content.decode()
    used = client.post("/diagnostics/new/", {**data, "use_earlier": "1"})
    assert used.status_code == 302 and used.url == f"/diagnostics/{earlier.pk}/"
    assert Request.objects.count() == 1


def test_the_reader_works_from_the_worklist(scenario, client):
    s = scenario
    r = helpers.request(s, "DR-CHEST", priority="stat")
    actions.attach_study(s.village_doctor_a, r, filename="chest.dcm", content=helpers.dicom())
    client.force_login(s.county_specialist)
    page = client.get("/diagnostics/worklist/?modality=dr")
    assert page.status_code == 200 and r.number in page.content.decode()
    assert client.get("/diagnostics/worklist/", HTTP_HX_REQUEST="true").status_code == 200
    claimed = client.post(f"/diagnostics/{r.pk}/claim/")
    assert claimed.status_code == 302 and claimed.url == f"/diagnostics/{r.pk}/report/"
    template = r.test.modality and actions.Template.objects.get(modality="dr")
    editor = client.get(f"/diagnostics/{r.pk}/report/?template={template.pk}")
    assert template.findings in editor.content.decode()
    signed = client.post(f"/diagnostics/{r.pk}/report/", {"findings": template.findings,
                                                          "impression": template.impression, "sign": "1"})
    assert signed.status_code == 302
    assert client.post(f"/diagnostics/{r.pk}/publish/").status_code == 302
    detail = client.get(f"/diagnostics/{r.pk}/")
    assert "已发布" in detail.content.decode()
    f = r.files.get()
    preview = client.get(f"/diagnostics/{r.pk}/files/{f.pk}/preview.png")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    sheet = client.get(f"/diagnostics/{r.pk}/print/")
    assert sheet.status_code == 200 and "示范县人民医院 · 县域医学影像与心电诊断中心" in sheet.content.decode()
    revise = client.post(f"/diagnostics/{r.pk}/revise/", {"reason": "", "impression": "x"})
    assert revise.status_code == 400


def test_critical_value_call_and_acknowledge_pages(scenario, client):
    s = scenario
    r = helpers.request(s)
    actions.claim_request(s.county_specialist, r)
    client.force_login(s.county_specialist)
    marked = client.post(f"/diagnostics/{r.pk}/critical/", {"description": "室性心动过速"})
    cv = CriticalValue.objects.get()
    assert marked.url == f"/diagnostics/critical/{cv.pk}/"
    assert client.post(f"/diagnostics/critical/{cv.pk}/call/", {"phoned_to": "", "read_back": ""}).status_code == 400
    client.post(f"/diagnostics/critical/{cv.pk}/call/", {"phoned_to": "赵村医", "read_back": "室速"})
    client.force_login(s.village_doctor_a)
    assert "室性心动过速" in client.get("/").content.decode()  # the landing page's alert
    assert "室性心动过速" in client.get("/diagnostics/critical/").content.decode()
    client.post(f"/diagnostics/critical/{cv.pk}/ack/")
    cv.refresh_from_db()
    assert cv.acknowledged_by == s.village_doctor_a and cv.read_back == "室速"


def test_specimen_label_and_scan(scenario, client):
    s = scenario
    r = helpers.request(s, "LAB-CBC")
    sp = actions.collect_specimen(s.village_doctor_a, r)
    client.force_login(s.village_doctor_a)
    label = client.get(f"/diagnostics/{r.pk}/label/")
    assert label.status_code == 200 and sp.barcode in label.content.decode() and "<svg" in label.content.decode()
    client.force_login(s.county_specialist)
    assert client.get(f"/diagnostics/specimen/?barcode={sp.barcode}").status_code == 200
    assert client.get("/diagnostics/specimen/?barcode=nope").status_code == 404
    client.post("/diagnostics/specimen/", {"barcode": sp.barcode, "step": "receive"})
    sp.refresh_from_db()
    assert sp.state == "received"


def test_the_duty_roster_page(scenario, client):
    s = scenario
    client.force_login(s.township_doctor)
    assert client.get("/diagnostics/duty/").status_code == 200
    ok = client.post("/diagnostics/duty/", {"institution": s.centre_1.pk, "doctor": s.township_doctor.pk,
                                            "starts_at": "2026-03-02T08:00", "ends_at": "2026-03-02T20:00"})
    assert ok.status_code == 302
    bad = client.post("/diagnostics/duty/", {"institution": s.centre_1.pk, "doctor": s.village_doctor_c.pk,
                                             "starts_at": "2026-03-02T08:00", "ends_at": "2026-03-02T20:00"})
    assert bad.status_code == 400


def test_the_record_shows_the_published_report(scenario, client):
    s = scenario
    r = helpers.published(s, impression="急性前壁心肌梗死")
    client.force_login(s.village_doctor_a)
    page = client.get(f"/people/{r.resident_id}/")
    assert "急性前壁心肌梗死" in page.content.decode() and f"/diagnostics/{r.pk}/" in page.content.decode()
