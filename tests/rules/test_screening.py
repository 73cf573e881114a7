"""rules/screening.py: first raised value → re-check, three raised days → refer to confirm, same-day
readings count once, high-risk listing, age 34 vs 35, enrolled residents (spec §Hypertension "Screening",
"High-risk people"; §Type-2 diabetes)."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import screening as s
from yigongti.rules.chronic import RuleError

D1, D2, D3, D4 = dt.date(2026, 3, 1), dt.date(2026, 3, 8), dt.date(2026, 3, 15), dt.date(2026, 3, 22)


def bp(day, sbp, dbp):
    return s.Reading(day, sbp, dbp, None)


def glu(day, value):
    return s.Reading(day, None, None, value)


def test_first_raised_value_asks_for_a_recheck():
    r = s.screen([bp(D1, 145, 85)], age=50)
    assert r.hypertension.action == "recheck"
    assert r.hypertension.raised_days == (D1,)
    assert r.hypertension.reasons == ("raised_latest_day", "raised_on_1_days")
    assert r.action("diabetes") == "none"
    assert s.due_recheck_after(r.hypertension) == D1 + dt.timedelta(days=7)


@pytest.mark.parametrize(("sbp", "dbp", "action"), [
    (139, 89, "high_risk_6_monthly"), (140, 89, "recheck"), (139, 90, "recheck"), (129, 84, "none")])
def test_the_140_90_edge(sbp, dbp, action):
    assert s.screen([bp(D1, sbp, dbp)], age=50).hypertension.action == action


def test_three_raised_days_refer_to_confirm():
    r = s.screen([bp(D1, 150, 95), bp(D2, 142, 88), bp(D3, 138, 92)], age=50)
    assert r.hypertension.action == "refer_to_confirm"
    assert r.hypertension.raised_days == (D1, D2, D3)
    assert s.due_recheck_after(r.hypertension) == D3 + dt.timedelta(days=14)


def test_same_day_readings_count_once():
    r = s.screen([bp(D1, 150, 95), bp(D1, 152, 96), bp(D1, 149, 94), bp(D2, 150, 95)], age=50)
    assert r.hypertension.action == "recheck"
    assert r.hypertension.raised_days == (D1, D2)


def test_a_same_day_repeat_is_averaged():
    # 146 and 132 → mean 139, 88 and 84 → 86: not raised that day, but high-normal
    r = s.screen([bp(D1, 146, 88), bp(D1, 132, 84)], age=50)
    assert r.hypertension.action == "high_risk_6_monthly"
    assert r.hypertension.reasons == ("bp_high_normal",)
    r = s.screen([bp(D1, 148, 88), bp(D1, 132, 84)], age=50)   # mean 140 → raised
    assert r.hypertension.action == "recheck"


def test_raised_days_need_not_be_consecutive():
    readings = [bp(D1, 150, 95), bp(D2, 120, 80), bp(D3, 150, 95), bp(D4, 150, 95)]
    assert s.screen(readings, age=50).hypertension.action == "refer_to_confirm"


def test_a_normal_recheck_clears_the_recheck():
    r = s.screen([bp(D1, 150, 95), bp(D2, 120, 78)], age=50)
    assert r.hypertension.action == "none"
    assert r.hypertension.raised_days == (D1,)


def test_readings_outside_the_lookback_do_not_count():
    old = [bp(dt.date(2025, 1, 5), 150, 95), bp(dt.date(2025, 2, 5), 150, 95)]
    r = s.screen([*old, bp(D1, 150, 95)], age=50)
    assert (r.hypertension.action, r.hypertension.raised_days) == ("recheck", (D1,))
    assert s.screen([*old, bp(D1, 150, 95)], age=50, lookback_days=500).hypertension.action == "refer_to_confirm"


@pytest.mark.parametrize(("age", "action"), [(34, "none"), (35, "recheck"), (36, "recheck")])
def test_age_34_vs_35(age, action):
    r = s.screen([bp(D1, 160, 100), glu(D1, 7.5)], age=age)
    assert r.actions == {"hypertension": action, "diabetes": action}
    if age < 35:
        assert r.hypertension.reasons == ("under_min_age",)


def test_min_age_is_a_parameter():
    assert s.screen([bp(D1, 160, 100)], age=30, min_age=30).hypertension.action == "recheck"


def test_enrolled_residents_are_not_screened_for_that_programme():
    r = s.screen([bp(D1, 160, 100), glu(D1, 8.0)], age=60, enrolled=frozenset({"hypertension"}))
    assert r.hypertension.action == "none" and r.hypertension.reasons == ("enrolled",)
    assert r.diabetes.action == "recheck"


def test_other_risk_factors_list_for_6_monthly_bp():
    r = s.screen([bp(D1, 120, 78)], age=60, hypertension_risk_factors=("age_ge_55", "family_history"))
    assert r.hypertension.action == "high_risk_6_monthly"
    assert r.hypertension.reasons == ("age_ge_55", "family_history")
    assert s.due_recheck_after(r.hypertension) == dt.date(2026, 9, 1)


def test_risk_factors_without_any_reading():
    r = s.screen([], age=60, hypertension_risk_factors=("high_salt",))
    assert r.hypertension.action == "high_risk_6_monthly"
    assert s.due_recheck_after(r.hypertension) is None      # no reading yet: the app lists it as due now
    assert s.screen([], age=60).hypertension.reasons == ("no_reading",)


@pytest.mark.parametrize(("value", "action"), [
    ("6.0", "none"), ("6.1", "high_risk_yearly_glucose"), ("6.9", "high_risk_yearly_glucose"),
    ("7.0", "recheck"), (7.0, "recheck"), (Decimal("16.7"), "recheck")])
def test_glucose_edges(value, action):
    assert s.screen([glu(D1, value)], age=50).diabetes.action == action


def test_glucose_three_days_and_its_own_count():
    readings = [glu(D1, 7.2), glu(D2, "7.0"), glu(D3, Decimal("8.1"))]
    assert s.screen(readings, age=50).diabetes.action == "refer_to_confirm"
    assert s.screen(readings[:2], age=50, glucose_confirm_days=2).diabetes.action == "refer_to_confirm"
    assert s.screen(readings[:2], age=50).diabetes.action == "recheck"


def test_yearly_glucose_for_named_risk_factors():
    r = s.screen([glu(D1, 5.2)], age=50, diabetes_risk_factors=("family_history",))
    assert r.diabetes.action == "high_risk_yearly_glucose"
    assert s.due_recheck_after(r.diabetes) == dt.date(2027, 3, 1)


def test_bp_only_and_glucose_only_readings_mix():
    r = s.screen([bp(D1, 150, 90), glu(D2, 5.0)], age=50)
    assert (r.hypertension.latest_on, r.diabetes.latest_on) == (D1, D2)


def test_one_half_of_a_bp_is_enough_to_be_raised():
    assert s.screen([s.Reading(D1, None, 95)], age=50).hypertension.action == "recheck"


def test_unknown_condition():
    with pytest.raises(RuleError):
        s.screen([], age=50).action("copd")


def test_due_after_none_is_none():
    assert s.due_recheck_after(s.screen([bp(D1, 110, 70)], age=50).hypertension) is None


readings_st = st.lists(st.builds(s.Reading, st.dates(min_value=D1, max_value=D1 + dt.timedelta(days=60)),
                                 st.integers(90, 200), st.integers(50, 120), st.none()), max_size=12)


@given(readings_st)
def test_duplicating_readings_on_the_same_day_changes_nothing(readings):
    assert s.screen(readings, age=50) == s.screen(readings + readings, age=50)


@given(readings_st)
def test_order_of_readings_does_not_matter(readings):
    assert s.screen(readings, age=50) == s.screen(list(reversed(readings)), age=50)


@given(readings_st)
def test_refer_exactly_when_three_raised_days(readings):
    r = s.screen(readings, age=50).hypertension
    assert (r.action == "refer_to_confirm") == (len(r.raised_days) >= 3)


def test_yearly_bp_screening_due():
    assert s.bp_screening_due(D1, age=40) == dt.date(2027, 3, 1)
    assert s.bp_screening_due(D1, age=40, high_risk=True) == dt.date(2026, 9, 1)
    assert s.bp_screening_due(D1, age=34) is None
    assert s.bp_screening_due(None, age=35) == dt.date.min
