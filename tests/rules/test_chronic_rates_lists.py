"""rules/chronic_rates.py: overdue, due this week, not seen for 3 months, lost to follow-up, and the
Simple-style monthly picture (consortium-indicators.md "How peers compute programme indicators")."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import chronic_rates as r
from yigongti.rules.chronic import add_months, month_end, most_severe, most_urgent_referral

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(("due", "days"), [
    (dt.date(2026, 11, 24), 0), (TODAY, 0), (dt.date(2026, 11, 22), 1), (dt.date(2026, 10, 24), 30)])
def test_overdue_days(due, days):
    assert r.overdue_days(due, TODAY) == days
    assert r.is_overdue(due, TODAY) is (days > 0)


@pytest.mark.parametrize(("due", "expected"), [
    (dt.date(2026, 11, 22), False), (TODAY, True), (dt.date(2026, 11, 29), True), (dt.date(2026, 11, 30), False)])
def test_due_this_week(due, expected):
    assert r.is_due_within(due, TODAY) is expected


@pytest.mark.parametrize(("last", "not_seen", "lost"), [
    (dt.date(2026, 8, 24), False, False), (dt.date(2026, 8, 23), True, False),
    (dt.date(2025, 11, 24), True, False), (dt.date(2025, 11, 23), True, True), (None, True, True)])
def test_not_seen_and_lost(last, not_seen, lost):
    assert r.not_seen_for(last, TODAY) is not_seen
    assert r.is_lost_to_follow_up(last, TODAY) is lost


def test_a_new_enrolee_without_a_visit_counts_from_enrolment():
    assert not r.is_lost_to_follow_up(None, TODAY, enrolled_on=dt.date(2026, 10, 1))
    assert not r.not_seen_for(None, TODAY, enrolled_on=dt.date(2026, 10, 1))
    assert r.not_seen_for(None, TODAY, enrolled_on=dt.date(2026, 8, 1))


def test_month_end_clamping():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 23), -11) == dt.date(2025, 12, 23)


def test_severity_helpers():
    assert most_severe(["b", "a"], ("a", "b", "c")) == "b"
    assert most_urgent_referral("", "urgent", "advised") == "urgent"
    assert most_urgent_referral() == ""


NOV = dt.date(2026, 11, 15)   # month end 2026-11-30
REG = dt.date(2024, 1, 1)


@pytest.mark.parametrize(("kw", "state"), [
    ({"died_on": dt.date(2026, 11, 30)}, "dead"),
    ({"registered_on": dt.date(2026, 12, 1)}, "not_registered"),
    ({"visits": [(dt.date(2025, 11, 30), True)]}, "lost"),           # exactly 12 months before the end
    ({"visits": [(dt.date(2025, 12, 1), True)]}, "missed_visit"),
    ({"visits": [(dt.date(2026, 8, 31), True)]}, "missed_visit"),   # August is not in Sep–Nov
    ({"visits": [(dt.date(2026, 9, 1), True)]}, "controlled"),
    ({"visits": [(dt.date(2026, 11, 30), False)]}, "uncontrolled"),
    ({"visits": [(dt.date(2026, 9, 5), False), (dt.date(2026, 10, 5), None)]}, "uncontrolled"),
    ({"visits": [(dt.date(2026, 10, 5), None)]}, "no_bp"),
    ({"visits": [(dt.date(2026, 10, 5), False), (dt.date(2026, 11, 20), True)]}, "controlled"),
    ({"visits": [(dt.date(2026, 10, 5), True), (dt.date(2026, 12, 2), False)]}, "controlled"),  # after E
    ({"visits": [], "registered_on": dt.date(2026, 3, 1)}, "missed_visit"),  # new, never visited: not lost
    ({"visits": [], "registered_on": dt.date(2025, 11, 30)}, "lost"),
])
def test_monthly_picture(kw, state):
    args = {"registered_on": REG, "visits": [], **kw}
    assert r.monthly_picture(NOV, **args) == state


def test_monthly_control_rate_uses_simple_denominator():
    states = [("controlled", REG), ("uncontrolled", REG), ("missed_visit", REG), ("no_bp", REG),
              ("lost", REG), ("dead", REG), ("controlled", dt.date(2026, 9, 1))]   # registered < 3 months
    assert r.monthly_control_rate(states, NOV) == Decimal("25.00")
    assert r.in_control_denominator("controlled", NOV, dt.date(2026, 8, 31))
    assert not r.in_control_denominator("controlled", NOV, dt.date(2026, 9, 1))
    assert not r.in_control_denominator("lost", NOV, REG)
    assert r.monthly_control_rate([], NOV) is None


visit_st = st.lists(st.tuples(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 3, 1)),
                              st.one_of(st.none(), st.booleans())), max_size=8)


@given(visit_st, st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 3, 1)))
def test_the_picture_is_always_one_state_and_counts_calendar_months(visits, month):
    state = r.monthly_picture(month, registered_on=REG, visits=visits)
    assert state in r.PICTURE_STATES
    months_ago = [(month.year - d.year) * 12 + month.month - d.month for d, _ in visits if d <= month_end(month)]
    registered_ago = (month.year - REG.year) * 12 + month.month - REG.month
    assert (state == "lost") == (not any(a < 12 for a in months_ago) and registered_ago >= 12)
    if state != "lost":
        assert (state == "missed_visit") == (not any(a < 3 for a in months_ago))


@given(visit_st, st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 3, 1)))
def test_a_later_visit_on_target_never_makes_the_picture_worse(visits, month):
    end = month_end(month)
    visits = [v for v in visits if v[0] != end]     # several readings on one day: all must be on target
    before = r.monthly_picture(month, registered_on=REG, visits=visits)
    after = r.monthly_picture(month, registered_on=REG, visits=[*visits, (end, True)])
    assert after == "controlled"
    assert before in r.PICTURE_STATES


def test_the_cutoff_is_what_a_query_filters_on():
    assert r.seen_cutoff(TODAY, 3) == dt.date(2026, 8, 23)
    assert r.seen_cutoff(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    # a leap day: the cutoff and the predicate agree
    assert r.seen_cutoff(dt.date(2025, 2, 28), 12) == dt.date(2024, 2, 28)
    assert not r.is_lost_to_follow_up(dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    assert r.is_lost_to_follow_up(dt.date(2024, 2, 29), dt.date(2025, 3, 1))


@given(st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2028, 1, 1)),
       st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2028, 1, 1)), st.integers(1, 24))
def test_predicate_equals_the_cutoff_filter(last, today, months):
    assert r.not_seen_for(last, today, months) == (last <= r.seen_cutoff(today, months))
