"""Issue 17 "Done when": one village doctor's day mixes a hypertension follow-up, a 6-month child check and an
older person's annual visit in one list; each is recorded on the same phone page (Django client)."""
import datetime as dt

from django.utils import timezone

from yigongti.chronic import population
from yigongti.chronic.models import Enrolment, ScreeningFlag, Visit
from yigongti.people.models import HealthExam
from yigongti.rules.chronic import add_months

from . import helpers


def day(s):
    """The fixture day: three residents of village A managed by village doctor A, all due now."""
    today = timezone.localdate()
    ht = helpers.enrolment(s, name="一日高血压")
    baby = helpers.resident(s, name="一日婴儿", born=add_months(today, -6), sex="2")
    elder = helpers.resident(s, name="一日老人", born=dt.date(1950, 5, 1))
    population.enrol_eligible(s.village_doctor_a, programme="child", institution=s.clinic_a,
                              managing_doctor=s.village_doctor_a)
    population.enrol_eligible(s.village_doctor_a, programme="older", institution=s.clinic_a,
                              managing_doctor=s.village_doctor_a)
    child = Enrolment.objects.get(resident=baby, programme="child")
    older = Enrolment.objects.get(resident=elder, programme="older")
    return ht, child, older


def test_one_list_three_programmes_each_recorded_on_the_phone_page(scenario, client):
    ht, child, older = day(scenario)
    today = timezone.localdate()
    assert child.next_due == today and older.next_due == today
    client.force_login(scenario.village_doctor_a)
    page = client.get("/chronic/?scope=mine&bucket=todo").content.decode()
    for e in (ht, child, older):
        assert f"/chronic/enrolments/{e.pk}/followup/" in page
    base = {"visit_date": today.isoformat(), "mode": "clinic", "institution": scenario.clinic_a.pk}
    # the hypertension follow-up
    r = client.post(f"/chronic/enrolments/{ht.pk}/followup/", {**base, "systolic": "132", "diastolic": "80"})
    assert r.status_code == 302, r.content.decode()[:3000]
    # the 6-month child check: the same page, the child's own fields
    form = client.get(f"/chronic/enrolments/{child.pk}/followup/").content.decode()
    assert "details-weight_kg" in form and "med_drug_0" not in form
    r = client.post(f"/chronic/enrolments/{child.pk}/followup/", {
        **base, "details-weight_kg": "7.6", "details-height_cm": "66.0", "details-haemoglobin": "118",
        "details-education": "辅食添加"})
    assert r.status_code == 302, r.content.decode()[:3000]
    v = Visit.objects.get(enrolment=child)
    assert v.reasons[0] == "check_6m" and v.classification == "normal"
    assert v.next_due == add_months(child.resident.birth_date, 8)
    # the older person's annual visit: the exam is the shared health exam, raised BP goes to screening
    form = client.get(f"/chronic/enrolments/{older.pk}/followup/").content.decode()
    assert "details-self_care_score" in form and 'name="systolic"' in form
    r = client.post(f"/chronic/enrolments/{older.pk}/followup/", {
        **base, "systolic": "152", "diastolic": "88", "weight": "61.0", "details-self_care_score": "5",
        "details-constitution": "qi_deficiency", "details-tcm_guidance_given": "on", "details-height": "160",
        "details-vision": "abnormal", "details-alt": "25"})
    assert r.status_code == 302, r.content.decode()[:3000]
    v = Visit.objects.get(enrolment=older)
    assert v.classification == "mild_dependence" and v.next_due == add_months(today, 12)
    exam = HealthExam.objects.get(resident=older.resident)
    assert (exam.pk, exam.self_care_score, exam.systolic_left) == (v.details["exam_id"], 5, 152)
    assert exam.organ_function["vision"] == "abnormal" and exam.findings["tests"]["alt"] == "25"
    assert ScreeningFlag.objects.filter(resident=older.resident, condition="hypertension").exists()
    printed = client.get(f"/chronic/visits/{v.pk}/").content.decode()
    assert "轻度依赖" in printed and "气虚质" in printed and "152/88" in printed
    # nothing of the three is due any more today
    page = client.get("/chronic/?scope=mine&bucket=todo").content.decode()
    for e in (ht, child, older):
        assert f"/chronic/enrolments/{e.pk}/followup/" not in page


def test_enrol_eligible_is_idempotent_and_only_the_eligible(scenario):
    today = timezone.localdate()
    young = helpers.resident(scenario, name="六十四岁", born=add_months(today, -12 * 64))
    away = helpers.resident(scenario, name="外出老人", born=dt.date(1940, 1, 1))
    from yigongti.people.models import Resident

    Resident.objects.filter(pk=away.pk).update(is_resident=False)
    first = population.enrol_eligible(scenario.village_doctor_a, programme="older", institution=scenario.clinic_a)
    again = population.enrol_eligible(scenario.village_doctor_a, programme="older", institution=scenario.clinic_a)
    ids = {e.resident_id for e in first}
    assert young.pk not in ids and away.pk not in ids and again == []
    other = population.enrol_eligible(scenario.village_doctor_b, programme="older", institution=scenario.clinic_b)
    assert not ids & {e.resident_id for e in other}
