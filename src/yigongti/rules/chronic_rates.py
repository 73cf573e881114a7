"""Rates and lists of the chronic programmes: 管理率, 规范管理率, 控制率, the Simple-style monthly picture,
overdue / not seen / lost to follow-up. Pure: no Django; returns numbers and codes.

Sources: ../shared/domain/public-health-spec.md §Hypertension ("规范管理 counts face-to-face", "高血压患者
管理率") and §Programme indicators; ../shared/domain/consortium-indicators.md "How peers compute programme
indicators" (Simple). Percentages use ``indicators.figure_value`` (×100, half-up to 2 places, None on a
zero denominator) so a rate is rounded in one place only.

Our readings where the digest is silent [U], each a parameter:
- 规范管理 for a mid-year enrolee (``pro_rata="quarters"``, the default): required =
  ceil(required × Q / 4), at least 1, where Q is the number of the assessment year's quarters that begin
  on or after the enrolment date (enrolled 2026-02-10 in a calendar year → Apr, Jul, Oct → Q = 3 → 3
  visits; enrolled 2026-11-15 → Q = 0 → 1 visit). Only visits on or after the enrolment date count.
  ``pro_rata="months"``: ceil(required × M / 12) with M the whole months left (months beginning on or after
  the enrolment date), at least 1. ``pro_rata="none"``: always ``required``. A patient who left during the
  year (``left_on``) is judged the same way on the quarters (months) that began before leaving.
- Visits on the same day count once.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal

from yigongti.rules import indicators
from yigongti.rules.chronic import FACE_TO_FACE, MODES, RuleError, add_months, month_end

REQUIRED_FACE_TO_FACE = 4        # spec §HT/§DM: at least 4 face-to-face follow-ups a year [C]
PRO_RATA_QUARTERS, PRO_RATA_MONTHS, PRO_RATA_NONE = "quarters", "months", "none"
PRO_RATA_RULES = (PRO_RATA_QUARTERS, PRO_RATA_MONTHS, PRO_RATA_NONE)
LOST_MONTHS = 12                 # Simple: no visit in the last 12 months → lost to follow-up; issue 7
NOT_SEEN_MONTHS = 3              # issue 7 "not seen for 3+ months"; Simple's 3-month window

# monthly picture codes (consortium-indicators.md, Simple)
DEAD = "dead"
NOT_REGISTERED = "not_registered"
LOST = "lost"
MISSED_VISIT = "missed_visit"
NO_BP = "no_bp"
CONTROLLED = "controlled"
UNCONTROLLED = "uncontrolled"
PICTURE_STATES = (DEAD, NOT_REGISTERED, LOST, MISSED_VISIT, NO_BP, CONTROLLED, UNCONTROLLED)
UNDER_CARE_STATES = frozenset({MISSED_VISIT, NO_BP, CONTROLLED, UNCONTROLLED})


# --- 管理率 ----------------------------------------------------------------------------------------------

def _prevalence(prevalence) -> Decimal:
    value = prevalence if isinstance(prevalence, Decimal) else Decimal(str(prevalence))
    if not value.is_finite() or value < 0 or value > 1:
        raise RuleError("prevalence_out_of_range")
    return value


def estimated_patients(population_35_plus: int, prevalence) -> Decimal:
    """年内辖区内患者总人数, estimated as 常住 residents ≥35 × the prevalence (a fraction, e.g.
    Decimal("0.25"); spec §HT 管理率 [S]). Unrounded."""
    if population_35_plus < 0:
        raise RuleError("negative_population")
    return Decimal(population_35_plus) * _prevalence(prevalence)


def management_rate(managed: int, population_35_plus: int, prevalence) -> Decimal | None:
    """管理率 % = 年内已管理的患者人数 / estimated patients × 100 (spec §HT 管理率 [S]); None if no estimate."""
    return indicators.figure_value(managed, estimated_patients(population_35_plus, prevalence),
                                   indicators.UNIT_PERCENT)


# --- 规范管理 -------------------------------------------------------------------------------------------

def assessment_year(year: int, *, start_month: int = 1, start_day: int = 1) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the assessment year that begins in ``year`` on start_month/start_day
    (a setting: calendar year by default; some provinces assess July–June) [U]."""
    start = dt.date(year, start_month, start_day)
    return start, add_months(start, 12) - dt.timedelta(days=1)


def face_to_face_dates(visits: Iterable[tuple[dt.date, str]]) -> list[dt.date]:
    """The distinct dates of the face-to-face visits (门诊, 家庭) among (date, mode) pairs, oldest first
    (spec §HT 规范管理 counts face-to-face only [C])."""
    dates = set()
    for day, mode in visits:
        if mode not in MODES:
            raise RuleError("unknown_mode")
        if mode in FACE_TO_FACE:
            dates.add(day)
    return sorted(dates)


def is_managed_in_year(*, enrolled_on: dt.date, year_start: dt.date, year_end: dt.date,
                       left_on: dt.date | None = None) -> bool:
    """年内已管理: in the programme on at least one day of the assessment year (enrolled on or before its last
    day and not left before its first day). The digest does not define it [U]; the app applies the
    programme's population rules (age ≥35, primary hypertension / T2DM) before calling."""
    return enrolled_on <= year_end and (left_on is None or left_on >= year_start)


def required_visits(*, year_start: dt.date, year_end: dt.date, enrolled_on: dt.date,
                    required: int = REQUIRED_FACE_TO_FACE, pro_rata: str = PRO_RATA_QUARTERS,
                    left_on: dt.date | None = None) -> int:
    """The face-to-face visits a patient needs in the assessment year (module docstring: the pro-rata rule
    [U]); 0 when not in the programme during the year. ``left_on`` (moved, died, transferred) shortens the
    window the same way: only quarters (months) that begin on or after the enrolment and on or before the
    leaving date count."""
    if pro_rata not in PRO_RATA_RULES:
        raise RuleError("unknown_pro_rata")
    if year_end < year_start:
        raise RuleError("period_invalid")
    if not is_managed_in_year(enrolled_on=enrolled_on, year_start=year_start, year_end=year_end, left_on=left_on):
        return 0
    first, last = max(enrolled_on, year_start), min(left_on or year_end, year_end)
    if (first == year_start and last == year_end) or pro_rata == PRO_RATA_NONE:
        return required
    step, whole = (3, 4) if pro_rata == PRO_RATA_QUARTERS else (1, 12)
    starts = [add_months(year_start, step * k) for k in range(whole)]
    if first == year_start:          # a full start: the first period counts even though it begins on day 1
        parts = sum(1 for s in starts if s <= last)
    else:
        parts = sum(1 for s in starts if first <= s <= last)
    return max(1, math.ceil(required * parts / whole))


def is_standard_managed(face_to_face_dates: Iterable[dt.date], *, year_start: dt.date, year_end: dt.date,
                        enrolled_on: dt.date, required: int = REQUIRED_FACE_TO_FACE,
                        pro_rata: str = PRO_RATA_QUARTERS, left_on: dt.date | None = None) -> bool:
    """规范管理: at least the required face-to-face follow-ups (distinct days) between
    max(year_start, enrolled_on) and min(year_end, left_on) (spec §HT "至少4次面对面随访" [C]; pro-rata
    [U]). Pass only face-to-face dates (``face_to_face_dates`` filters (date, mode) pairs). A patient not
    in the programme during the year is not standard-managed in it (False)."""
    need = required_visits(year_start=year_start, year_end=year_end, enrolled_on=enrolled_on,
                           required=required, pro_rata=pro_rata, left_on=left_on)
    if need == 0:
        return False
    first, last = max(year_start, enrolled_on), min(year_end, left_on or year_end)
    counted = {d for d in face_to_face_dates if first <= d <= last}
    return len(counted) >= need


def standard_management_rate(standard: int, managed: int) -> Decimal | None:
    """规范管理率 % = 规范管理人数 / 年内已管理的患者人数 × 100 (spec §Programme indicators [S])."""
    return indicators.figure_value(standard, managed, indicators.UNIT_PERCENT)


# --- 控制率 ---------------------------------------------------------------------------------------------

def latest_controlled(visits: Iterable[tuple[dt.date, bool | None]], *, year_start: dt.date,
                      year_end: dt.date) -> bool:
    """Whether the latest follow-up in the year was on target (spec §Programme indicators: 年内最近一次随访
    血压达标 / 血糖 <7.0 [S]). ``visits``: (date, controlled) with controlled from
    ``hypertension.is_controlled`` or ``diabetes.is_controlled`` — None when nothing was measured, which is
    not on target. No follow-up in the year → False [U]. Several visits on the latest day: on target only if
    all of them are."""
    in_year = [(d, c) for d, c in visits if year_start <= d <= year_end]
    if not in_year:
        return False
    latest = max(d for d, _ in in_year)
    return all(c is True for d, c in in_year if d == latest)


def control_rate(controlled: int, managed: int) -> Decimal | None:
    """管理人群血压(血糖)控制率 % = 最近一次随访达标人数 / 年内已管理的患者人数 × 100 (spec §Programme
    indicators [S]); None when nobody is managed."""
    return indicators.figure_value(controlled, managed, indicators.UNIT_PERCENT)


# --- lists ----------------------------------------------------------------------------------------------

def overdue_days(due: dt.date, today: dt.date) -> int:
    """Days past the due date (0 on the due date and before): overdue is derived, never stored (DHIS2)."""
    return max(0, (today - due).days)


def is_overdue(due: dt.date, today: dt.date) -> bool:
    return today > due


def is_due_within(due: dt.date, today: dt.date, days: int = 7) -> bool:
    """Due from today through ``days`` − 1 days ahead ("due this week": the next 7 days), not yet overdue."""
    return today <= due < today + dt.timedelta(days=days)


def seen_cutoff(today: dt.date, months: int) -> dt.date:
    """The day ``months`` before ``today`` (clamped to month end): a patient whose last visit is on or before
    it has not been seen for ``months``. Lists filter ``last_visit <= seen_cutoff(today, m)`` in SQL, so the
    query and ``not_seen_for`` / ``is_lost_to_follow_up`` agree to the day."""
    return add_months(today, -months)


def _not_since(last_visit: dt.date | None, today: dt.date, months: int) -> bool:
    return last_visit is None or last_visit <= seen_cutoff(today, months)


def is_lost_to_follow_up(last_visit: dt.date | None, today: dt.date, months: int = LOST_MONTHS, *,
                         enrolled_on: dt.date | None = None) -> bool:
    """No visit for 12 months: last visit ≤ today − 12 months (Simple; issue 7). With no visit, the
    enrolment date counts as the start (a new enrolee is not lost); with neither, True."""
    return _not_since(last_visit or enrolled_on, today, months)


def not_seen_for(last_visit: dt.date | None, today: dt.date, months: int = NOT_SEEN_MONTHS, *,
                 enrolled_on: dt.date | None = None) -> bool:
    """Not seen for 3+ months: last visit ≤ today − 3 months (same counting as lost to follow-up)."""
    return _not_since(last_visit or enrolled_on, today, months)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def monthly_picture(month: dt.date, *, registered_on: dt.date, visits: Iterable[tuple[dt.date, bool | None]],
                    died_on: dt.date | None = None, lost_months: int = LOST_MONTHS,
                    window_months: int = NOT_SEEN_MONTHS) -> str:
    """One patient's state for ``month`` (any day of that month), Simple-style
    (consortium-indicators.md "How peers compute programme indicators"), counted in calendar months as
    Simple's reports do: for November, "the last 3 months" are September, October and November, "the last
    12 months" December of the year before through November. ``visits``: (date, controlled) where
    controlled is None when no BP (glucose) was recorded at that visit; visits after the month are ignored.
    Checked in order:

    1. "dead" if died on or before the month's last day; "not_registered" if registered after it;
    2. "lost" unless registered in the last 12 months or a visit in the last 12 months;
    3. "missed_visit": no visit in the last 3 months (a new patient without a visit too: Simple keeps them
       out of the control denominator, see ``in_control_denominator``);
    4. "no_bp": visits in the last 3 months, none with a reading;
    5. "controlled" if the latest visit with a reading in the last 3 months was on target (several that day:
       all on target), else "uncontrolled".

    The day-counted list helpers (``not_seen_for``, ``is_lost_to_follow_up``) answer "as of today"; this
    picture answers "for that month", so near a month's edge the two may differ by design.
    """
    end = month_end(month)
    this = _month_index(month)
    if died_on is not None and died_on <= end:
        return DEAD
    if registered_on > end:
        return NOT_REGISTERED
    past = [(d, c) for d, c in visits if d <= end]
    recent_12 = [v for v in past if _month_index(v[0]) > this - lost_months]
    if not recent_12 and not _month_index(registered_on) > this - lost_months:
        return LOST
    recent = [v for v in past if _month_index(v[0]) > this - window_months]
    if not recent:
        return MISSED_VISIT
    measured = [(d, c) for d, c in recent if c is not None]
    if not measured:
        return NO_BP
    latest = max(d for d, _ in measured)
    return CONTROLLED if all(c for d, c in measured if d == latest) else UNCONTROLLED


def in_control_denominator(state: str, month: dt.date, registered_on: dt.date,
                           window_months: int = NOT_SEEN_MONTHS) -> bool:
    """Simple's BP-controlled % denominator: under care (not dead, lost or not yet registered) and registered
    before the last 3 months (for November: registered in August or earlier)."""
    return state in UNDER_CARE_STATES and _month_index(registered_on) <= _month_index(month) - window_months


def monthly_control_rate(states: Iterable[tuple[str, dt.date]], month: dt.date) -> Decimal | None:
    """Simple's monthly BP-controlled % over (state, registered_on) pairs for ``month``: controlled /
    patients in ``in_control_denominator``."""
    numerator = denominator = 0
    for state, registered_on in states:
        if in_control_denominator(state, month, registered_on):
            denominator += 1
            numerator += state == CONTROLLED
    return indicators.figure_value(numerator, denominator, indicators.UNIT_PERCENT)
