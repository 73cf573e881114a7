"""Maternal care from the LMP or the EDD through the pages (registration, antenatal, the delivery learned at a
visit, the postpartum schedule from the discharge); a newborn without an ID number enrolled from the birth date;
the enrol page refuses a pregnancy without LMP/EDD; the API answers the programme's own decision."""
import datetime as dt

from django.utils import timezone

from yigongti.chronic.models import Enrolment, Visit
from yigongti.rules import maternal
from yigongti.rules.chronic import add_months

from . import helpers


def test_maternal_from_lmp_to_postpartum(scenario, client):
    today = timezone.localdate()
    mother = helpers.resident(scenario, name="孕妇甲", born=dt.date(1996, 4, 1), sex="2")
    client.force_login(scenario.village_doctor_a)
    bad = client.post(f"/chronic/enrol/?resident={mother.pk}", {
        "programme": "maternal", "managing_institution": scenario.clinic_a.pk, "enrolled_on": today.isoformat()})
    assert "请填写末次月经或预产期" in bad.content.decode() and not Enrolment.objects.exists()
    lmp = today - dt.timedelta(weeks=10)
    r = client.post(f"/chronic/enrol/?resident={mother.pk}", {
        "programme": "maternal", "managing_institution": scenario.clinic_a.pk, "enrolled_on": today.isoformat(),
        "lmp": lmp.isoformat(), "handbook": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    e = Enrolment.objects.get(programme="maternal")
    assert e.next_due == lmp + dt.timedelta(weeks=12, days=6)
    base = {"visit_date": today.isoformat(), "mode": "clinic", "institution": scenario.clinic_a.pk}
    r = client.post(f"/chronic/enrolments/{e.pk}/followup/", {**base, "systolic": "118", "diastolic": "72",
                                                               "details-haemoglobin": "120"})
    assert r.status_code == 302, r.content.decode()[:2000]
    e.refresh_from_db()
    assert e.next_due == lmp + dt.timedelta(weeks=20, days=6)
    assert Visit.objects.get(enrolment=e).reasons == ["contact_antenatal_1"]


def test_delivery_at_a_visit_schedules_the_postpartum_visit(scenario):
    from yigongti.chronic import actions, programmes

    today = timezone.localdate()
    mother = helpers.resident(scenario, name="产妇乙", born=dt.date(1990, 4, 1), sex="2")
    edd = today - dt.timedelta(days=6)
    e = actions.enrol(scenario.village_doctor_a, resident=mother, programme="maternal",
                      managing_institution=scenario.clinic_a, managing_doctor=scenario.village_doctor_a,
                      enrolled_on=edd - dt.timedelta(weeks=30), details={"edd": edd.isoformat()},
                      **programmes.get("maternal").enrol_kwargs(mother, {"edd": edd.isoformat()},
                                                                edd - dt.timedelta(weeks=30)))
    delivered, discharged = today - dt.timedelta(days=5), today - dt.timedelta(days=3)
    visit, decision = programmes.get("maternal").record(
        scenario.village_doctor_a, e, institution=scenario.clinic_a, visit_date=today, mode="home",
        systolic=145, diastolic=92, details={"delivery_date": delivered.isoformat(),
                                             "discharge_date": discharged.isoformat(), "live_births": "1"})
    assert decision.reasons[0] == "contact_postpartum_visit"
    assert decision.classification == "high_risk" and decision.referral == "advised"
    e.refresh_from_db()
    assert e.details["delivery_date"] == delivered.isoformat() and e.details["live_births"] == 1
    assert e.next_due == min(delivered + dt.timedelta(days=42), today + dt.timedelta(days=14))
    assert maternal.registered_early(maternal.lmp_from(edd=edd), e.enrolled_on)     # week 10


def test_newborn_without_id_number_scheduled_from_birth(scenario, client):
    today = timezone.localdate()
    baby = helpers.resident(scenario, name="新生儿丙", born=today - dt.timedelta(days=3), sex="1")
    assert baby.document_type == "none"
    client.force_login(scenario.village_doctor_a)
    r = client.post(f"/chronic/enrol/?resident={baby.pk}", {
        "programme": "child", "managing_institution": scenario.clinic_a.pk, "enrolled_on": today.isoformat(),
        "discharge_date": (today - dt.timedelta(days=1)).isoformat(), "birth_weight_g": "2400"})
    assert r.status_code == 302, r.content.decode()[:2000]
    e = Enrolment.objects.get(programme="child")
    assert e.next_due == today - dt.timedelta(days=1) + dt.timedelta(days=7)
    base = {"visit_date": today.isoformat(), "mode": "home", "institution": scenario.clinic_a.pk}
    r = client.post(f"/chronic/enrolments/{e.pk}/followup/", {**base, "details-weight_kg": "2.6"})
    assert r.status_code == 302
    v = Visit.objects.get(enrolment=e)
    assert v.reasons[0] == "check_newborn" and v.classification == "high_risk"    # low birth weight
    assert v.next_due == baby.birth_date + dt.timedelta(days=30)
    card = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert "预防接种" in card


def test_api_records_with_the_programmes_own_action(scenario, client):
    from yigongti.people.models import HealthExam

    elder = helpers.resident(scenario, name="接口老人", born=dt.date(1948, 2, 2))
    client.force_login(scenario.village_doctor_a)
    r = client.post("/api/v1/enrolments/", {"resident": elder.pk, "programme": "older",
                                            "managing_institution": scenario.clinic_a.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["next_due"] == timezone.localdate().isoformat()
    r = client.post("/api/v1/followups/", {"enrolment": r.json()["id"], "institution": scenario.clinic_a.pk,
                                           "visit_date": timezone.localdate().isoformat(), "mode": "clinic",
                                           "details": {"self_care_score": 20}}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["decision"]["classification"] == "dependent"
    assert HealthExam.objects.filter(resident=elder, self_care_score=20).exists()
    assert r.json()["decision"]["next_due"] == add_months(timezone.localdate(), 12).isoformat()
