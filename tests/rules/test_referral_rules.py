"""rules/referral.py: validity window (China dates, calendar days), derived expiry, direction, grade level,
catalog matching and the referral number (seed 000)."""
import datetime as dt

import pytest

from yigongti.rules import referral as r


def test_the_window_of_seed_000():
    assert r.validity_window(dt.date(2024, 11, 8)) == (dt.date(2024, 11, 8), dt.date(2024, 11, 11))
    assert r.validity_window(dt.date(2024, 11, 8), 5)[1] == dt.date(2024, 11, 13)


def test_calendar_days_span_weekends_and_holidays():
    # 2024-09-30 → 2024-10-03 crosses the National Day holiday: still three calendar days.
    assert r.validity_window(dt.date(2024, 9, 30))[1] == dt.date(2024, 10, 3)


@pytest.mark.parametrize(("state", "today", "expected"), [
    (r.SUBMITTED, dt.date(2024, 11, 11), r.SUBMITTED),   # the last day is included
    (r.SUBMITTED, dt.date(2024, 11, 12), r.EXPIRED),
    (r.ACCEPTED, dt.date(2024, 11, 12), r.EXPIRED),
    (r.PENDING_APPROVAL, dt.date(2024, 11, 12), r.EXPIRED),
    (r.RECEIVED, dt.date(2025, 1, 1), r.RECEIVED),       # used within the window: never expires
    (r.COMPLETED, dt.date(2025, 1, 1), r.COMPLETED),
    (r.CANCELLED, dt.date(2025, 1, 1), r.CANCELLED),
])
def test_expiry_is_derived(state, today, expected):
    assert r.effective_state(state, dt.date(2024, 11, 11), today) == expected


def test_a_draft_has_no_window_yet():
    assert r.effective_state(r.DRAFT, None, dt.date(2030, 1, 1)) == r.DRAFT


@pytest.mark.parametrize(("frm", "to", "expected"), [
    ("village", "township", r.UP), ("township", "county", r.UP), ("village", "county", r.UP),
    ("county", "township", r.DOWN), ("county", "village", r.DOWN), ("township", "village", r.DOWN),
    ("township", "township", r.LATERAL), ("county", "county", r.LATERAL),
])
def test_direction(frm, to, expected):
    assert r.direction(frm, to) == expected


def test_unknown_tier():
    with pytest.raises(ValueError):
        r.direction("province", "county")


@pytest.mark.parametrize(("grade", "tier", "level"), [
    ("1A", "township", "1"), ("2", "county", "2"), ("3B", "county", "3"), ("", "village", "1"), ("", "county", "2"),
])
def test_grade_level(grade, tier, level):
    assert r.grade_level(grade, tier) == level


def test_catalog_matching_takes_the_longest_prefix():
    entries = ["J06", "J06.9", "I10"]
    assert r.on_catalog("j06.900", entries) == "J06.9"
    assert r.on_catalog("J06.000", entries) == "J06"
    assert r.on_catalog("K35.900", entries) is None
    assert r.on_catalog("", entries) is None


def test_only_up_referrals_on_the_senders_catalog_are_questionable():
    assert r.is_questionable(r.UP, ["J06.900"], ["J06"])
    assert not r.is_questionable(r.UP, ["K35.900"], ["J06"])
    assert not r.is_questionable(r.DOWN, ["J06.900"], ["J06"])


def test_the_number_of_seed_000():
    assert r.referral_number("12360121491203063q", 2024, 217) == "12360121491203063Q202400217"
    assert r.looks_like_number(" 12360121491203063Q-2024-00217 ")
    assert r.clean_number("h001 2026 00001") == "H001202600001"
    with pytest.raises(ValueError):
        r.referral_number("H001", 2024, 100000)


def test_mean_acceptance_hours_counts_the_referrals_accepted_in_the_period():
    import datetime as dt
    from decimal import Decimal

    from yigongti.rules.indicators import UNIT_HOURS, make_figure
    from yigongti.rules.referral import acceptance_hours

    t0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    rows = [{"from_id": 1, "to_id": 9, "submitted_at": t0, "accepted_at": t0 + dt.timedelta(hours=6),
             "accepted_on": dt.date(2025, 3, 1)},
            {"from_id": 2, "to_id": 9, "submitted_at": t0, "accepted_at": t0 + dt.timedelta(hours=25, minutes=30),
             "accepted_on": dt.date(2025, 3, 2)},
            {"from_id": 2, "to_id": 9, "submitted_at": t0, "accepted_at": None, "accepted_on": None},
            {"from_id": 1, "to_id": 9, "submitted_at": t0, "accepted_at": t0 + dt.timedelta(days=40),
             "accepted_on": dt.date(2025, 4, 10)}]
    march = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert acceptance_hours(rows, *march) == (Decimal("31.50"), 2)
    assert make_figure(*acceptance_hours(rows, *march), UNIT_HOURS).value == Decimal("15.75")
    assert acceptance_hours(rows, *march, institution_ids={1}) == (Decimal("6.00"), 1)
    assert make_figure(*acceptance_hours(rows, dt.date(2025, 5, 1), dt.date(2025, 5, 31)), UNIT_HOURS).value is None
