"""Deaths and moves arrive by event and close enrolments with their reason; merges re-point everything and an undo
puts it back; every BP or glucose entering the platform (here: an exam) is screened."""
import datetime as dt

from yigongti.chronic.models import Enrolment, ScreeningFlag, Visit
from yigongti.people import actions as people

from . import helpers


def test_death_closes_every_enrolment(scenario):
    e = helpers.enrolment(scenario)
    d = helpers.enrolment(scenario, programme="diabetes", patient=e.resident)
    people.record_death(scenario.village_doctor_a, e.resident, dt.date(2026, 11, 1), cause="脑出血")
    for x in (e, d):
        x.refresh_from_db()
        assert (x.status, x.leave_reason, x.left_on) == ("left", "died", dt.date(2026, 11, 1))


def test_move_away_closes_with_reason_moved(scenario):
    e = helpers.enrolment(scenario)
    people.record_move_away(scenario.village_doctor_a, e.resident, dt.date(2026, 10, 1))
    e.refresh_from_db()
    assert (e.status, e.leave_reason) == ("left", "moved")


def test_merge_repoints_and_undo_restores(scenario):
    a = helpers.enrolment(scenario)
    b = helpers.enrolment(scenario)
    helpers.followup(scenario, b, visit_date=dt.date(2026, 11, 2))
    merge = people.merge_residents(scenario.village_doctor_a, a.resident, b.resident, reason="重复建档")
    b.refresh_from_db()
    assert b.resident_id == a.resident_id and b.status == "left" and b.leave_reason == "transferred"
    assert Visit.objects.get().resident_id == a.resident_id
    people.undo_merge(scenario.village_doctor_a, merge)
    b.refresh_from_db()
    assert b.resident_id != a.resident_id
    assert Visit.objects.get().resident_id == b.resident_id
    assert Enrolment.objects.filter(status="active").count() == 1


def test_three_raised_days_refer_to_confirm_then_confirm_enrols(scenario):
    from yigongti.chronic.actions_screening import confirm_screening

    r = helpers.resident(scenario, born=dt.date(1970, 1, 1))
    for day in (1, 8, 15):
        people.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                           exam_date=dt.date(2026, 10, day), systolic_left=150, diastolic_left=95)
    flag = ScreeningFlag.objects.get(resident=r, condition="hypertension")
    assert (flag.action, flag.readings_count, flag.status) == ("refer_to_confirm", 3, "open")
    e = confirm_screening(scenario.village_doctor_a, flag, managing_institution=scenario.clinic_a,
                          icd10_code="I10.x00", diagnosis_date=dt.date(2026, 11, 1))
    flag.refresh_from_db()
    assert flag.status == "confirmed" and e.programme == "hypertension"


def test_under_35_is_not_screened(scenario):
    r = helpers.resident(scenario, born=dt.date(1993, 1, 1))
    people.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                       exam_date=dt.date(2026, 10, 1), systolic_left=160, diastolic_left=100)
    assert not ScreeningFlag.objects.exists()


def test_first_raised_reading_asks_for_a_recheck(scenario):
    r = helpers.resident(scenario, born=dt.date(1970, 1, 1))
    people.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                       exam_date=dt.date(2026, 10, 1), systolic_left=142, diastolic_left=80)
    flag = ScreeningFlag.objects.get()
    assert (flag.action, flag.due_on) == ("recheck", dt.date(2026, 10, 8))
