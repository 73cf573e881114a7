"""One due-list query over Enrolment for every programme: TB and severe-mental-disorder patients appear in the same
list as hypertension; due/overdue computed from next_due at query time; SMI rows only for the programme role."""
import datetime as dt

from yigongti.chronic import queries
from yigongti.chronic.actions_tb import import_tb_notification

from . import helpers

TODAY = dt.date(2026, 11, 23)


def _setup(s):
    ht = helpers.enrolment(s)
    helpers.followup(s, ht, visit_date=dt.date(2026, 8, 1))          # due 2026-10-30: overdue
    dm = helpers.enrolment(s, programme="diabetes")
    helpers.followup(s, dm, visit_date=dt.date(2026, 8, 30), fasting_glucose="6.1")  # due 2026-11-28: this week
    smi = helpers.enrolment(s, programme="mental", details={"disease": "精神分裂症"})
    patient = helpers.resident(s)
    n = import_tb_notification(s.village_doctor_a, external_id="TB-1", resident=patient,
                               arrived_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), regimen="2HRZE/4HR",
                               treatment_start=dt.date(2026, 11, 18), supervision="family",
                               managing_institution=s.clinic_a, managing_doctor=s.village_doctor_a)
    return ht, dm, smi, n.enrolment


def test_tb_and_smi_share_the_township_list_with_hypertension(scenario):
    ht, dm, smi, tb = _setup(scenario)
    rows = list(queries.due_list(scenario.mental_health_doctor, scope="township", area_id=scenario.township_1.pk,
                                 bucket="todo", today=TODAY))
    assert {e.programme for e in rows} == {"hypertension", "diabetes", "mental", "tb"}
    overdue = list(queries.due_list(scenario.mental_health_doctor, scope="county", bucket="overdue", today=TODAY))
    assert ht in overdue and dm not in overdue
    assert tb.next_due == dt.date(2026, 11, 23)   # 72 h after the notification's arrival


def test_smi_rows_are_hidden_without_the_programme_role(scenario):
    ht, dm, smi, tb = _setup(scenario)
    rows = list(queries.due_list(scenario.township_doctor, scope="county", bucket="all", today=TODAY))
    assert smi not in rows and ht in rows and tb in rows


def test_village_doctor_sees_their_own_patients_and_days_overdue(scenario):
    ht, dm, smi, tb = _setup(scenario)
    mine = list(queries.due_list(scenario.village_doctor_a, scope="mine", bucket="todo", sort="overdue",
                                 today=TODAY))
    assert mine[0] == ht
    rows = queries.due_rows(scenario.village_doctor_a, mine, today=TODAY, full_phone=True)
    assert rows[0].days_overdue == (TODAY - dt.date(2026, 10, 30)).days
    assert "*" not in rows[0].phone
    masked = queries.due_rows(scenario.township_doctor, mine, today=TODAY, full_phone=True)
    assert "*" in masked[0].phone
    assert not list(queries.due_list(scenario.village_doctor_c, scope="county", bucket="all", today=TODAY))


def test_not_seen_and_lost(scenario):
    e = helpers.enrolment(scenario, enrolled_on=dt.date(2024, 1, 1))
    helpers.followup(scenario, e, visit_date=dt.date(2025, 10, 1))
    assert e in queries.due_list(scenario.village_doctor_a, bucket="lost", today=TODAY)
    assert e in queries.due_list(scenario.village_doctor_a, bucket="not_seen", today=TODAY)
