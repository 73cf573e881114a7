"""Severe mental disorders and TB on the same engine: an unstable SMI visit is an urgent referral with its to-do;
a TB visit's classification is the treatment phase and the next date comes from the notified regimen; the first
home visit's attempts, two failed → report back."""
import datetime as dt

from yigongti.chronic import actions
from yigongti.chronic.actions_tb import (
    first_visit_status,
    import_tb_notification,
    record_tb_first_visit_attempt,
)
from yigongti.tasks.models import Task

from . import helpers


def test_unstable_smi_visit_is_urgent(scenario):
    e = helpers.enrolment(scenario, programme="mental", details={"disease": "精神分裂症"})
    visit, decision = actions.record_followup(
        scenario.mental_health_doctor, e, institution=scenario.centre_1, visit_date=dt.date(2026, 11, 10),
        mode="home", details={"risk_level": 3, "insight": "partial", "social_function": "fair", "adverse_level": "none"})
    assert (visit.classification, decision.referral) == ("unstable", "urgent")
    assert visit.next_due == dt.date(2026, 11, 24)
    assert Task.objects.filter(kind="chronic_referral_urgent").exists()


def test_tb_phase_schedule_and_first_visit(scenario):
    patient = helpers.resident(scenario)
    arrived = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)
    n = import_tb_notification(scenario.village_doctor_a, external_id="TB-9", resident=patient, arrived_at=arrived,
                               regimen="2HRZE/4HR", treatment_start=dt.date(2026, 9, 1), supervision="family",
                               managing_institution=scenario.clinic_a, managing_doctor=scenario.village_doctor_a)
    assert n.enrolment.next_due == dt.date(2026, 9, 4)
    record_tb_first_visit_attempt(scenario.village_doctor_a, n, attempted_at=arrived + dt.timedelta(hours=20),
                                  succeeded=False)
    record_tb_first_visit_attempt(scenario.village_doctor_a, n, attempted_at=arrived + dt.timedelta(hours=40),
                                  succeeded=False)
    assert first_visit_status(n) == "report_back"
    assert Task.objects.filter(kind="chronic_tb_report_back").exists()
    visit, decision = actions.record_followup(scenario.village_doctor_a, n.enrolment, institution=scenario.clinic_a,
                                              visit_date=dt.date(2026, 9, 20), mode="home")
    assert (visit.classification, visit.next_due) == ("intensive", dt.date(2026, 9, 30))   # family: every 10 days
    visit, _ = actions.record_followup(scenario.village_doctor_a, n.enrolment, institution=scenario.clinic_a,
                                       visit_date=dt.date(2026, 11, 10), mode="home")
    assert (visit.classification, visit.next_due) == ("continuation", dt.date(2026, 12, 10))
