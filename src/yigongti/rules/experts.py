"""Experts down to the townships (专家下沉): pure rules, no Django. They return codes, never text.

Sources:
- seed 000 (向塘镇中心卫生院联合门诊专家排班): a weekly timetable by clinic and weekday, "坐诊时间：每周工作日
  （上午 8:00-11:30，下午 2:00-4:00）"; its contact card: "上级医院向家庭医生开放一定数量的号源" — part of each
  session's slots is reserved for family doctors booking their contracted residents;
- the release of unbooked reserved slots to everyone some hours before the session, and the limit on
  repeated no-shows, are county settings [U] (no national text retrieved): configurable, defaults below;
- consortium-indicators.md "National monitoring indicators (2024)", group 同质化: 二级及以上机构中级及以上医师到
  基层派驻人数（每万常住人口） — the exact numerator/denominator text was not retrieved [U]; our definition:
  distinct physicians of a secondary-or-higher institution, with an intermediate or higher title, seconded to
  a primary institution on any day of the period, per 10,000 常住 residents of the county at the period's end.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

# --- codes -----------------------------------------------------------------------------------------------

OK = "ok"
FULL = "full"                          # no free slot left in the part the booker may use
RESERVED_NEEDS_CONTRACT = "reserved_needs_contract"
NO_SHOW_LIMIT = "no_show_limit"
ALREADY_BOOKED = "already_booked"
SESSION_PASSED = "session_passed"
SESSION_CANCELLED = "session_cancelled"

# Defaults of the county settings (experts/conf.py) [U].
RELEASE_HOURS_BEFORE = 24              # reserved slots open to everyone 24 h before the session starts
NO_SHOW_LIMIT_COUNT = 3                # this many no-shows …
NO_SHOW_WINDOW_DAYS = 90               # … within this many days stop new bookings
# seed 000: "上午 8:00-11:30，下午 2:00-4:00"
MORNING = (dt.time(8, 0), dt.time(11, 30))
AFTERNOON = (dt.time(14, 0), dt.time(16, 0))

# --- release of the reserved part ------------------------------------------------------------------------


def release_at(starts_at: dt.datetime, hours_before: int | float) -> dt.datetime:
    """When unbooked reserved slots of a session starting at ``starts_at`` open to everyone (setting [U])."""
    return starts_at - dt.timedelta(hours=hours_before)


def reserved_released(now: dt.datetime, starts_at: dt.datetime, hours_before: int | float) -> bool:
    """The release time has come (inclusive): the reserved part is open to every booker."""
    return now >= release_at(starts_at, hours_before)


# --- who may take which slot -------------------------------------------------------------------------------


def may_use_reserved(*, family_doctor_booking: bool, has_contract: bool, released: bool) -> bool:
    """Seed 000: 号源 opened to family doctors for their contracted residents. Before the release time the
    reserved part is for a family doctor booking a resident with an active contract; after it, for anyone."""
    return released or (family_doctor_booking and has_contract)


def no_shows_block(no_show_dates: Iterable[dt.date], today: dt.date, *, limit: int = NO_SHOW_LIMIT_COUNT,
                   window_days: int = NO_SHOW_WINDOW_DAYS) -> bool:
    """Repeated no-shows limit booking (setting [U]): ``limit`` or more no-shows in the last ``window_days``
    days (today included). ``limit`` 0 turns the rule off."""
    if limit <= 0:
        return False
    since = today - dt.timedelta(days=window_days - 1)
    return sum(1 for d in no_show_dates if since <= d <= today) >= limit


def booking_check(*, now: dt.datetime, starts_at: dt.datetime, cancelled: bool, already_booked: bool,
                  no_show_blocked: bool) -> str:
    """The first reason a booking into this session is refused, or OK (the slot part is checked on claim)."""
    if cancelled:
        return SESSION_CANCELLED
    if now >= starts_at:
        return SESSION_PASSED
    if already_booked:
        return ALREADY_BOOKED   # one slot per resident per session
    if no_show_blocked:
        return NO_SHOW_LIMIT
    return OK


def slot_times(start: dt.time, end: dt.time, count: int) -> list[dt.time]:
    """Spread ``count`` slots evenly over the session (8:00–11:30 with 14 slots: every 15 minutes)."""
    if count <= 0:
        return []
    base = dt.datetime.combine(dt.date(2000, 1, 1), start)
    span = (dt.datetime.combine(dt.date(2000, 1, 1), end) - base).total_seconds()
    step = max(span, 0) / count
    return [(base + dt.timedelta(seconds=int(step * i))).time() for i in range(count)]


# --- timetable --------------------------------------------------------------------------------------------


def session_dates(weekday: int, start: dt.date, end: dt.date, *, holidays: Iterable[dt.date] = (),
                  valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> list[dt.date]:
    """The dates in [start, end] on ``weekday`` (0 = Monday) within the entry's validity, except statutory
    holidays (the caller passes them from the chinese-calendar data; design "Dependencies")."""
    skip = set(holidays)
    lo = max(start, valid_from) if valid_from else start
    hi = min(end, valid_until) if valid_until else end
    out = []
    day = lo + dt.timedelta(days=(weekday - lo.weekday()) % 7)
    while day <= hi:
        if day not in skip:
            out.append(day)
        day += dt.timedelta(days=7)
    return out


def overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    """Do two date ranges (end inclusive, None = open) share a day?"""
    return (a_end is None or a_end >= b_start) and (b_end is None or b_end >= a_start)


# --- the national indicator ---------------------------------------------------------------------------------

SECONDARY_OR_HIGHER = frozenset({"2", "2A", "2B", "3", "3A", "3B"})   # org.Grade codes of 二级 and 三级
INTERMEDIATE_OR_HIGHER = frozenset({"intermediate", "associate_senior", "senior"})  # org.Title codes


def counts_for_national_indicator(*, home_grade: str, title: str) -> bool:
    """二级及以上机构 (the home institution's grade) and 中级及以上 (the physician's title) [U: our reading]."""
    return home_grade in SECONDARY_OR_HIGHER and title in INTERMEDIATE_OR_HIGHER


def per_10k(count: int, population: int) -> Decimal | None:
    """Count per 10,000 常住 residents, two decimals (half up); None without a population."""
    if population <= 0:
        return None
    return (Decimal(count) * Decimal(10000) / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
