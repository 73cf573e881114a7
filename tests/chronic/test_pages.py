"""The pages: the village doctor's call list shows their own patients' full numbers and audits it; other lists mask
them; the follow-up form saves through the action and the record prints; enrol refuses I15 with the message; the
programme page shows the rates."""
import datetime as dt

from yigongti.audit.models import AuditEntry
from yigongti.chronic.models import Enrolment, Visit

from . import helpers


def test_call_list_shows_own_numbers_and_is_audited(scenario, client):
    e = helpers.enrolment(scenario, phone="13912345678", name="号码甲")
    client.force_login(scenario.village_doctor_a)
    page = client.get("/chronic/?scope=mine&bucket=all").content.decode()
    assert "号码甲" in page and "13912345678" in page
    assert AuditEntry.objects.filter(action="read", resident_id=e.resident_id, changes__detail="call_list").exists()
    client.force_login(scenario.township_doctor)
    page = client.get(f"/chronic/?scope=township&bucket=all&area={scenario.township_1.pk}").content.decode()
    assert "号码甲" in page and "13912345678" not in page and "139****5678" in page


def test_followup_form_saves_and_prints(scenario, client):
    e = helpers.enrolment(scenario)
    client.force_login(scenario.village_doctor_a)
    assert client.get(f"/chronic/enrolments/{e.pk}/followup/").status_code == 200
    preview = client.post(f"/chronic/enrolments/{e.pk}/preview/", {
        "visit_date": "2026-11-20", "mode": "clinic", "institution": scenario.clinic_a.pk, "systolic": "185",
        "diastolic": "115"}).content.decode()
    assert "紧急转诊" in preview
    r = client.post(f"/chronic/enrolments/{e.pk}/followup/", {
        "visit_date": "2026-11-20", "mode": "home", "institution": scenario.clinic_a.pk, "systolic": "132",
        "diastolic": "80", "med_drug_0": "氨氯地平", "med_times_0": "1", "med_dose_0": "5mg",
        "home_visit_at": "2026-11-20T09:30", "location": "28.12345,115.54321",
        "signature_png": "data:image/png;base64,iVBORw0KGgo="})
    assert r.status_code == 302, r.content.decode()[:2000]
    v = Visit.objects.get()
    assert (v.classification, v.mode, v.medications[0]["drug"]) == ("satisfied", "home", "氨氯地平")
    printed = client.get(r["Location"]).content.decode()
    assert "高血压患者随访服务记录表" in printed and "☑2" in printed
    bad = client.post(f"/chronic/enrolments/{e.pk}/followup/", {
        "visit_date": "2026-11-21", "mode": "clinic", "institution": scenario.clinic_a.pk, "systolic": "90",
        "diastolic": "120"})
    assert bad.status_code == 200 and "舒张压应低于收缩压" in bad.content.decode()


def test_enrol_page_refuses_i15(scenario, client):
    r = helpers.resident(scenario)
    client.force_login(scenario.village_doctor_a)
    page = client.post(f"/chronic/enrol/?resident={r.pk}", {
        "programme": "hypertension", "icd10_code": "I15.900", "managing_institution": scenario.clinic_a.pk,
        "enrolled_on": "2026-11-01"}).content.decode()
    assert "转诊" in page and not Enrolment.objects.exists()


def test_programme_and_screening_and_tb_pages(scenario, client):
    e = helpers.enrolment(scenario)
    helpers.followup(scenario, e, visit_date=dt.date(2026, 3, 1))
    client.force_login(scenario.township_doctor)
    assert client.get("/chronic/programmes/hypertension/?year=2026").status_code == 200
    assert client.get("/chronic/programmes/mental/").status_code == 404   # no 精防 role
    assert client.get("/chronic/screening/").status_code == 200
    assert client.get("/chronic/tb/").status_code == 200
