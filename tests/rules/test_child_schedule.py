"""rules/child.py against spec §Children 0–6: newborn visit within 7 days of discharge, 满月 at 28–30
days, checks at 3, 6, 8, 12, 18, 24, 30, 36 months, yearly at 4–6 years; growth against the WS/T 423-2022
table the county loads (no value guessed), anaemia/vision, development warning signs, high-risk flag."""
import datetime as dt
from decimal import Decimal

import pytest

from yigongti.rules import child
from yigongti.rules.chronic import RuleError

BIRTH = dt.date(2026, 1, 31)


def test_the_schedule_is_the_specifications():
    s = dict(child.schedule(BIRTH, discharge_date=dt.date(2026, 2, 3)))
    assert list(s) == ["newborn", "1m", "3m", "6m", "8m", "12m", "18m", "24m", "30m", "36m", "4y", "5y", "6y"]
    assert s["newborn"] == dt.date(2026, 2, 10)                    # discharge + 7 days
    assert s["1m"] == BIRTH + dt.timedelta(days=30)                 # 28–30 days
    assert child.window_start("1m", BIRTH) == BIRTH + dt.timedelta(days=28)
    assert s["3m"] == dt.date(2026, 4, 30)                          # month-end clamp
    assert s["6m"] == dt.date(2026, 7, 31)
    assert s["8m"] == dt.date(2026, 9, 30)
    assert s["12m"] == dt.date(2027, 1, 31)
    assert s["18m"] == dt.date(2027, 7, 31)
    assert s["24m"] == dt.date(2028, 1, 31)
    assert s["30m"] == dt.date(2028, 7, 31)
    assert s["36m"] == dt.date(2029, 1, 31)
    assert (s["4y"], s["5y"], s["6y"]) == (dt.date(2030, 1, 31), dt.date(2031, 1, 31), dt.date(2032, 1, 31))


def test_newborn_without_a_discharge_date_runs_from_birth():
    assert child.due_date("newborn", BIRTH) == BIRTH + dt.timedelta(days=7)


def test_check_for_picks_the_nearest_and_respects_a_choice():
    assert child.check_for(BIRTH, BIRTH + dt.timedelta(days=5)) == "newborn"
    assert child.check_for(BIRTH, BIRTH + dt.timedelta(days=29)) == "1m"
    assert child.check_for(BIRTH, dt.date(2026, 7, 25)) == "6m"
    assert child.check_for(BIRTH, dt.date(2026, 7, 25), chosen="8m") == "8m"
    with pytest.raises(RuleError):
        child.check_for(BIRTH, dt.date(2026, 7, 25), chosen="7m")


def test_six_month_check_schedules_the_eight_month_check():
    d = child.classify(child.ChildVisit(visit_date=dt.date(2026, 7, 31), birth_date=BIRTH, sex="1"), None, table=child.EMPTY_TABLE)
    assert d.classification == child.NORMAL
    assert d.next_due == dt.date(2026, 9, 30)
    assert d.reasons[0] == "check_6m"


def test_after_the_six_year_check_nothing_is_due():
    d = child.classify(child.ChildVisit(visit_date=dt.date(2032, 2, 1), birth_date=BIRTH), None, table=child.EMPTY_TABLE)
    assert d.next_due is None


def test_first_due_for_a_child_enrolled_late():
    assert child.first_due(BIRTH, BIRTH) == BIRTH + dt.timedelta(days=7)
    assert child.first_due(BIRTH, dt.date(2028, 2, 1)) == dt.date(2028, 7, 31)   # 24m passed → 30m
    assert child.first_due(BIRTH, dt.date(2032, 2, 1)) is None


def test_eligible_0_to_6():
    assert child.is_eligible(0) and child.is_eligible(6)
    assert not child.is_eligible(7)


# a clearly synthetic table (round numbers, not the standard's): the growth rules are in test_child_growth.py
def _row(indicator, x, median):
    return child.ReferenceRow(indicator, "1", Decimal(x), tuple(Decimal(median) + k for k in range(-3, 4)))


SYNTHETIC = child.build_table([_row(child.WEIGHT_FOR_AGE, 6, 8), _row(child.HEIGHT_FOR_AGE, 6, 70)])


def test_growth_below_the_cut_off_makes_a_high_risk_child():
    d = child.classify(child.ChildVisit(visit_date=dt.date(2026, 7, 31), birth_date=BIRTH, sex="1",
                                        weight=Decimal("5.9")), None, table=SYNTHETIC)
    assert d.classification == child.HIGH_RISK and child.R_UNDERWEIGHT in d.reasons


def test_without_a_table_growth_is_not_assessed_and_nothing_is_guessed():
    d = child.classify(child.ChildVisit(visit_date=dt.date(2026, 7, 31), birth_date=BIRTH, sex="1",
                                        weight=Decimal("1.0"), height=Decimal("40")), None)
    assert d.classification == child.NORMAL and child.R_NO_TABLE in d.reasons


def test_anaemia_only_at_the_haemoglobin_checks_and_vision_from_4_years():
    at6 = child.classify(child.ChildVisit(dt.date(2026, 7, 31), BIRTH, haemoglobin=105), None, table=child.EMPTY_TABLE)
    assert at6.classification == child.ATTENTION and child.R_ANAEMIA in at6.reasons
    at3 = child.classify(child.ChildVisit(dt.date(2026, 4, 30), BIRTH, haemoglobin=105), None, table=child.EMPTY_TABLE)
    assert at3.classification == child.NORMAL
    ok = child.classify(child.ChildVisit(dt.date(2026, 7, 31), BIRTH, haemoglobin=110), None, table=child.EMPTY_TABLE)
    assert ok.classification == child.NORMAL
    v4 = child.classify(child.ChildVisit(dt.date(2030, 1, 31), BIRTH, vision_abnormal=True), None, table=child.EMPTY_TABLE)
    assert child.R_VISION in v4.reasons


def test_development_warning_advises_referral_and_flag_is_high_risk():
    d = child.classify(child.ChildVisit(dt.date(2026, 7, 31), BIRTH, development_warning=True), None, table=child.EMPTY_TABLE)
    assert d.classification == child.HIGH_RISK and d.referral == "advised"
    f = child.classify(child.ChildVisit(dt.date(2026, 7, 31), BIRTH, high_risk=True), None, table=child.EMPTY_TABLE)
    assert f.classification == child.HIGH_RISK and f.referral == ""
    assert child.is_high_risk_at_birth(2499, None) and child.is_high_risk_at_birth(None, 36)
    assert not child.is_high_risk_at_birth(2500, 37)


def test_system_management_counts_checks_due_in_the_year_up_to_36_months():
    birth = dt.date(2025, 5, 10)
    year = {"year_start": dt.date(2026, 1, 1), "year_end": dt.date(2026, 12, 31)}
    due = {"8m": dt.date(2026, 1, 10), "12m": dt.date(2026, 5, 10), "18m": dt.date(2026, 11, 10)}
    assert child.done_on_schedule(birth, due, **year)
    assert not child.done_on_schedule(birth, {"8m": dt.date(2026, 1, 10)}, **year)
    old = dt.date(2021, 3, 1)    # 4y check in 2026 is beyond 36 months: nothing due → not counted
    assert not child.done_on_schedule(old, {"4y": dt.date(2026, 3, 1)}, **year)
