"""rules/maternal.py against spec §Maternal care: registration before 13 weeks, five antenatal contacts
(<13, 16–20, 21–24, 28–36, 37–40 weeks), postpartum visit within a week of discharge, the 42-day check;
from the LMP or the expected date (EDD − 280 days)."""
import datetime as dt

import pytest

from yigongti.rules import maternal
from yigongti.rules.chronic import RuleError

LMP = dt.date(2026, 1, 5)


def test_lmp_from_edd_and_back():
    assert maternal.lmp_from(edd=dt.date(2026, 10, 12)) == LMP
    assert maternal.edd_from(LMP) == dt.date(2026, 10, 12)
    assert maternal.lmp_from(lmp=LMP, edd=dt.date(2030, 1, 1)) == LMP
    with pytest.raises(RuleError):
        maternal.lmp_from()


def test_registration_before_13_weeks():
    assert maternal.registered_early(LMP, LMP + dt.timedelta(weeks=12, days=6))
    assert not maternal.registered_early(LMP, LMP + dt.timedelta(weeks=13))


def test_the_five_antenatal_windows():
    w = {c: maternal.antenatal_window(c, LMP) for c, _a, _b in maternal.ANTENATAL}
    assert len(w) == 5
    assert w["antenatal_1"] == (LMP, LMP + dt.timedelta(weeks=12, days=6))
    assert w["antenatal_2"] == (LMP + dt.timedelta(weeks=16), LMP + dt.timedelta(weeks=20, days=6))
    assert w["antenatal_3"] == (LMP + dt.timedelta(weeks=21), LMP + dt.timedelta(weeks=24, days=6))
    assert w["antenatal_4"] == (LMP + dt.timedelta(weeks=28), LMP + dt.timedelta(weeks=36, days=6))
    assert w["antenatal_5"] == (LMP + dt.timedelta(weeks=37), LMP + dt.timedelta(weeks=40, days=6))


def test_postpartum_within_a_week_of_discharge_and_the_42_day_check():
    delivered, discharged = dt.date(2026, 10, 10), dt.date(2026, 10, 13)
    assert maternal.due_date("postpartum_visit", LMP, delivery_date=delivered, discharge_date=discharged) == dt.date(2026, 10, 20)
    assert maternal.due_date("postpartum_42", LMP, delivery_date=delivered) == dt.date(2026, 11, 21)


def test_contact_for_by_gestational_week_and_after_delivery():
    assert maternal.contact_for(LMP, LMP + dt.timedelta(weeks=10)) == "antenatal_1"
    assert maternal.contact_for(LMP, LMP + dt.timedelta(weeks=14)) == "antenatal_2"
    assert maternal.contact_for(LMP, LMP + dt.timedelta(weeks=22)) == "antenatal_3"
    assert maternal.contact_for(LMP, LMP + dt.timedelta(weeks=30)) == "antenatal_4"
    assert maternal.contact_for(LMP, LMP + dt.timedelta(weeks=38)) == "antenatal_5"
    d = dt.date(2026, 10, 10)
    assert maternal.contact_for(LMP, d + dt.timedelta(days=5), delivery_date=d) == "postpartum_visit"
    assert maternal.contact_for(LMP, d + dt.timedelta(days=42), delivery_date=d) == "postpartum_42"


def test_first_contact_schedules_the_second():
    d = maternal.classify(maternal.MaternalVisit(visit_date=LMP + dt.timedelta(weeks=10), lmp=LMP, age=28), None)
    assert d.classification == maternal.NORMAL
    assert d.next_due == LMP + dt.timedelta(weeks=20, days=6)
    assert d.reasons == ("contact_antenatal_1",)


def test_fifth_contact_before_delivery_schedules_the_postpartum_visit_from_the_edd():
    d = maternal.classify(maternal.MaternalVisit(visit_date=LMP + dt.timedelta(weeks=38), lmp=LMP), None)
    assert d.next_due == maternal.edd_from(LMP) + dt.timedelta(days=7)


def test_after_42_days_nothing_is_due():
    d = maternal.classify(maternal.MaternalVisit(visit_date=dt.date(2026, 11, 21), lmp=LMP,
                                                 delivery_date=dt.date(2026, 10, 10)), None)
    assert d.next_due is None


def test_high_risk_flags():
    d = maternal.classify(maternal.MaternalVisit(visit_date=LMP + dt.timedelta(weeks=18), lmp=LMP, age=36,
                                                 sbp=142, dbp=85, haemoglobin=100), None)
    assert d.classification == maternal.HIGH_RISK and d.referral == "advised"
    assert {maternal.R_BP, maternal.R_AGE, maternal.R_ANAEMIA} <= set(d.reasons)
    ok = maternal.classify(maternal.MaternalVisit(visit_date=LMP + dt.timedelta(weeks=18), lmp=LMP, age=34,
                                                  sbp=139, dbp=89, haemoglobin=110), None)
    assert ok.classification == maternal.NORMAL


def test_first_due_on_late_registration():
    assert maternal.first_due(LMP, LMP + dt.timedelta(weeks=8)) == LMP + dt.timedelta(weeks=12, days=6)
    assert maternal.first_due(LMP, LMP + dt.timedelta(weeks=15)) == LMP + dt.timedelta(weeks=20, days=6)
