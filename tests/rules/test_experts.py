"""rules/experts.py against seed 000 and the settings' defaults."""
import datetime as dt
from decimal import Decimal

from yigongti.rules import experts as r

CN = dt.timezone(dt.timedelta(hours=8))


def test_seed_000_hours():
    assert r.MORNING == (dt.time(8, 0), dt.time(11, 30))
    assert r.AFTERNOON == (dt.time(14, 0), dt.time(16, 0))


def test_reserved_slots_release_at_the_configured_time_before_the_session():
    starts = dt.datetime(2026, 12, 2, 8, 0, tzinfo=CN)
    assert r.release_at(starts, 24) == dt.datetime(2026, 12, 1, 8, 0, tzinfo=CN)
    assert not r.reserved_released(dt.datetime(2026, 12, 1, 7, 59, tzinfo=CN), starts, 24)
    assert r.reserved_released(dt.datetime(2026, 12, 1, 8, 0, tzinfo=CN), starts, 24)
    assert r.reserved_released(dt.datetime(2026, 12, 1, 20, 0, tzinfo=CN), starts, 12)
    assert not r.reserved_released(dt.datetime(2026, 12, 1, 19, 59, tzinfo=CN), starts, 12)


def test_the_reserved_part_is_for_family_doctors_with_contracted_residents_until_release():
    assert r.may_use_reserved(family_doctor_booking=True, has_contract=True, released=False)
    assert not r.may_use_reserved(family_doctor_booking=True, has_contract=False, released=False)
    assert not r.may_use_reserved(family_doctor_booking=False, has_contract=True, released=False)
    assert r.may_use_reserved(family_doctor_booking=False, has_contract=False, released=True)


def test_repeated_no_shows_block_within_the_window():
    today = dt.date(2026, 11, 23)
    recent = [today - dt.timedelta(days=d) for d in (1, 30, 89)]
    assert r.no_shows_block(recent, today, limit=3, window_days=90)
    assert not r.no_shows_block(recent[:2], today, limit=3, window_days=90)
    old = [today - dt.timedelta(days=d) for d in (1, 30, 90)]   # the third is outside a 90-day window
    assert not r.no_shows_block(old, today, limit=3, window_days=90)
    assert not r.no_shows_block(recent, today, limit=0, window_days=90)


def test_booking_check_order():
    now = dt.datetime(2026, 11, 23, 9, tzinfo=CN)
    later = now + dt.timedelta(days=1)
    kw = {"cancelled": False, "already_booked": False, "no_show_blocked": False}
    assert r.booking_check(now=now, starts_at=later, **kw) == r.OK
    assert r.booking_check(now=now, starts_at=now, **kw) == r.SESSION_PASSED
    assert r.booking_check(now=now, starts_at=later, **{**kw, "cancelled": True}) == r.SESSION_CANCELLED
    assert r.booking_check(now=now, starts_at=later, **{**kw, "already_booked": True}) == r.ALREADY_BOOKED
    assert r.booking_check(now=now, starts_at=later, **{**kw, "no_show_blocked": True}) == r.NO_SHOW_LIMIT


def test_slot_times_spread_over_the_session():
    times = r.slot_times(dt.time(8), dt.time(11, 30), 14)
    assert times[0] == dt.time(8) and times[1] == dt.time(8, 15) and times[-1] == dt.time(11, 15)
    assert r.slot_times(dt.time(8), dt.time(9), 0) == []


def test_session_dates_skip_holidays_and_respect_validity():
    start, end = dt.date(2026, 9, 28), dt.date(2026, 10, 18)   # Mondays 28 Sep, 5 Oct, 12 Oct
    assert r.session_dates(0, start, end) == [dt.date(2026, 9, 28), dt.date(2026, 10, 5), dt.date(2026, 10, 12)]
    assert r.session_dates(0, start, end, holidays=[dt.date(2026, 10, 5)]) == [dt.date(2026, 9, 28),
                                                                               dt.date(2026, 10, 12)]
    assert r.session_dates(0, start, end, valid_from=dt.date(2026, 10, 1), valid_until=dt.date(2026, 10, 10)) == [
        dt.date(2026, 10, 5)]


def test_national_indicator_counts_intermediate_titles_from_secondary_hospitals():
    # consortium-indicators.md: 二级及以上机构中级及以上医师到基层派驻人数（每万常住人口）
    assert r.counts_for_national_indicator(home_grade="3B", title="intermediate")
    assert r.counts_for_national_indicator(home_grade="2", title="senior")
    assert not r.counts_for_national_indicator(home_grade="1A", title="senior")
    assert not r.counts_for_national_indicator(home_grade="3A", title="junior")
    # seed 000: 12 specialists sent down; a county of 450,000 常住 → 0.27 per 10,000
    assert r.per_10k(12, 450_000) == Decimal("0.27")
    assert r.per_10k(3, 0) is None
