"""Children 0–6 (0–6岁儿童健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Children 0–6, cited as "spec §Child <part>".
The schedule is the digest's [C]; growth is judged against WS/T 423-2022 (7岁以下儿童生长标准) using a
reference *table kept as data* (``REFERENCE_ROWS``: indicator, sex, age in months, −2SD, median, +2SD).
Only values that can be cited from the standard go in that table; where it has no row the
growth result is "no_reference" (nothing is guessed). Anaemia and vision are not in the digest: the
checks at which they are done and the haemoglobin threshold are [U] and passed in as settings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from yigongti.rules.chronic import REFERRAL_ADVISED, REFERRAL_NONE, Decision, RuleError, add_days, add_months

PROGRAMME = "child"
MAX_AGE_YEARS = 6   # spec §Child: 0–6 years [C]

# --- the schedule (spec §Child [C]) ----------------------------------------------------------------
NEWBORN = "newborn"                 # newborn home visit within 1 week of discharge [C]
NEWBORN_DAYS = 7
MONTH1 = "1m"                       # 满月 check at 28–30 days [C]
MONTH1_WINDOW = (28, 30)
MONTH_CHECKS = (3, 6, 8, 12, 18, 24, 30, 36)   # checks at 3, 6, 8, 12, 18, 24, 30, 36 months [C]
YEAR_CHECKS = (4, 5, 6)                          # then yearly at 4, 5, 6 years [C]
CHECKS = (NEWBORN, MONTH1, *(f"{m}m" for m in MONTH_CHECKS), *(f"{y}y" for y in YEAR_CHECKS))
SYSTEM_MANAGEMENT_MONTHS = 36       # 系统管理率 covers 0–36 months (issue 17)

# --- anaemia and vision [U]: not in the digest; settings with these defaults --------------------------
HAEMOGLOBIN_CHECKS = ("6m", "8m", "18m", "30m", "4y", "5y", "6y")   # [U]
VISION_CHECKS = ("4y", "5y", "6y")                                    # [U]
ANAEMIA_HB = 110                    # g/L, below → anaemia, 6 months – 6 years [U]

# --- classifications, least severe first -------------------------------------------------------------
NORMAL, ATTENTION, HIGH_RISK = "normal", "attention", "high_risk"
CLASSIFICATIONS = (NORMAL, ATTENTION, HIGH_RISK)

# --- reasons ---------------------------------------------------------------------------------------
R_UNDERWEIGHT = "child_underweight"      # weight-for-age < −2SD (WS/T 423-2022)
R_OVERWEIGHT = "child_weight_high"       # weight-for-age > +2SD (WS/T 423-2022)
R_STUNTING = "child_stunting"            # length/height-for-age < −2SD (WS/T 423-2022)
R_NO_REFERENCE = "child_growth_no_reference"
R_ANAEMIA = "child_anaemia"
R_VISION = "child_vision_abnormal"
R_MILESTONE = "child_development_warning"   # 发育预警征象 → refer (advised)
R_HIGH_RISK = "child_high_risk_flag"      # flagged high-risk child (e.g. low birth weight, preterm)

LOW_BIRTH_WEIGHT_G = 2500   # [U] low birth weight, a high-risk child factor
PRETERM_WEEKS = 37          # [U] born before 37 weeks, a high-risk child factor


def _months(check: str) -> int:
    if check.endswith("y"):
        return int(check[:-1]) * 12
    return int(check[:-1])


def due_date(check: str, birth_date: dt.date, discharge_date: dt.date | None = None) -> dt.date:
    """The last day a check is on time: newborn visit = discharge (or birth) + 7 days; 满月 = day 30;
    the month/year checks = the day the child reaches that age (spec §Child [C])."""
    if check == NEWBORN:
        return add_days(discharge_date or birth_date, NEWBORN_DAYS)
    if check == MONTH1:
        return add_days(birth_date, MONTH1_WINDOW[1])
    if check not in CHECKS:
        raise RuleError("unknown_check")
    return add_months(birth_date, _months(check))


def window_start(check: str, birth_date: dt.date, discharge_date: dt.date | None = None) -> dt.date:
    """The first day a check belongs to: discharge for the newborn visit, day 28 for 满月, the age itself
    for the others (the digest gives no earlier window)."""
    if check == NEWBORN:
        return discharge_date or birth_date
    if check == MONTH1:
        return add_days(birth_date, MONTH1_WINDOW[0])
    return due_date(check, birth_date, discharge_date)


def schedule(birth_date: dt.date, discharge_date: dt.date | None = None) -> list[tuple[str, dt.date]]:
    """Every check with its due date, in order (spec §Child [C])."""
    return [(c, due_date(c, birth_date, discharge_date)) for c in CHECKS]


def is_eligible(age_years: int | None) -> bool:
    """0–6 years (spec §Child [C]); a newborn without an ID number is a normal case (no document needed)."""
    return age_years is not None and 0 <= age_years <= MAX_AGE_YEARS


def check_for(birth_date: dt.date, visit_date: dt.date, discharge_date: dt.date | None = None,
              chosen: str = "") -> str:
    """Which check a visit is: the doctor's choice, else the scheduled check whose due date is nearest
    the visit date (a tie goes to the later check)."""
    if chosen:
        if chosen not in CHECKS:
            raise RuleError("unknown_check")
        return chosen
    if visit_date < birth_date:
        raise RuleError("visit_before_birth")
    return min(CHECKS, key=lambda c: (abs((due_date(c, birth_date, discharge_date) - visit_date).days),
                                      -CHECKS.index(c)))


def next_check(check: str) -> str | None:
    i = CHECKS.index(check)
    return CHECKS[i + 1] if i + 1 < len(CHECKS) else None


def first_due(birth_date: dt.date, today: dt.date, discharge_date: dt.date | None = None) -> dt.date | None:
    """On enrolment: the first check due today or later (a child enrolled at 2 years starts at 24 months
    if that is still ahead, else 30 months); None after the 6-year check."""
    for _check, day in schedule(birth_date, discharge_date):
        if day >= today:
            return day
    return None


def done_on_schedule(birth_date: dt.date, done: dict[str, dt.date], *, year_start: dt.date, year_end: dt.date,
                     discharge_date: dt.date | None = None, max_months: int = SYSTEM_MANAGEMENT_MONTHS) -> bool:
    """系统管理: every check up to ``max_months`` whose due date falls within the year (and on or before
    its end) was done (``done``: check → visit date). A child with no check due in the year is not
    counted as systematically managed."""
    due = [c for c, d in schedule(birth_date, discharge_date)
           if year_start <= d <= year_end and (c in (NEWBORN, MONTH1) or _months(c) <= max_months)]
    return bool(due) and all(c in done for c in due)


# --- growth against WS/T 423-2022 (table as data) ----------------------------------------------------

WEIGHT, HEIGHT = "weight_for_age", "height_for_age"
# The reference table as data: (indicator, sex "1" boy / "2" girl, age in whole months, −2SD, median, +2SD),
# weight in kg, length/height in cm, from WS/T 423-2022 tables. Only rows checked against the published
# standard belong here; none has been checked yet, so the table ships empty and every measurement is
# "no_reference" until the county's maternal-and-child centre fills it (REFERENCE_ROWS or a setting).
REFERENCE_ROWS: tuple[tuple[str, str, int, str, str, str], ...] = ()


def load_table(rows=None) -> dict:
    """{(indicator, sex, months): (−2SD, median, +2SD)} from rows shaped like REFERENCE_ROWS."""
    return {(ind, sex, int(months)): (Decimal(low), Decimal(median), Decimal(high))
            for ind, sex, months, low, median, high in (REFERENCE_ROWS if rows is None else rows)}


def growth(sex: str, months: int, *, weight: Decimal | None, height: Decimal | None, table: dict) -> tuple[str, ...]:
    """Growth codes against the reference: < −2SD weight-for-age → underweight, > +2SD → weight high;
    < −2SD height-for-age → stunting; a measurement without a reference row → no_reference."""
    out = []
    for value, indicator in ((weight, WEIGHT), (height, HEIGHT)):
        if value is None:
            continue
        ref = table.get((indicator, sex, months))
        if ref is None:
            out.append(R_NO_REFERENCE)
            continue
        low, _median, high = ref
        value = Decimal(str(value))
        if value < low:
            out.append(R_UNDERWEIGHT if indicator == WEIGHT else R_STUNTING)
        elif indicator == WEIGHT and value > high:
            out.append(R_OVERWEIGHT)
    return tuple(dict.fromkeys(out))


def is_high_risk_at_birth(birth_weight_g: int | None, gestation_weeks: int | None) -> bool:
    """[U] high-risk child factors: low birth weight (<2500 g) or preterm (<37 weeks)."""
    return ((birth_weight_g is not None and birth_weight_g < LOW_BIRTH_WEIGHT_G)
            or (gestation_weeks is not None and gestation_weeks < PRETERM_WEEKS))


@dataclass(frozen=True)
class ChildVisit:
    visit_date: dt.date
    birth_date: dt.date
    sex: str = ""
    discharge_date: dt.date | None = None
    check: str = ""                     # blank → the nearest scheduled check
    weight: Decimal | None = None       # kg
    height: Decimal | None = None       # cm
    haemoglobin: int | None = None      # g/L
    vision_abnormal: bool = False
    development_warning: bool = False   # 发育预警征象 present
    high_risk: bool = False             # flagged at enrolment (birth factors) or by the doctor


def classify(visit: ChildVisit, previous_classification: str | None = None, *, table: dict | None = None,
             anaemia_hb: int = ANAEMIA_HB, haemoglobin_checks=HAEMOGLOBIN_CHECKS,
             vision_checks=VISION_CHECKS) -> Decision:
    """One child check: high_risk for growth outside ±2SD, development warning signs (→ referral advised)
    or a high-risk flag; attention for anaemia or an abnormal vision check; else normal. The next check is
    the schedule's next one (spec §Child [C]); after the 6-year check nothing further (next_due None)."""
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    check = check_for(visit.birth_date, visit.visit_date, visit.discharge_date, visit.check)
    table = load_table() if table is None else table
    months = (visit.visit_date.year - visit.birth_date.year) * 12 + visit.visit_date.month - visit.birth_date.month
    if visit.visit_date.day < visit.birth_date.day:
        months -= 1
    reasons = list(growth(visit.sex, max(months, 0), weight=visit.weight, height=visit.height, table=table))
    high = [r for r in reasons if r in (R_UNDERWEIGHT, R_OVERWEIGHT, R_STUNTING)]
    attention = []
    if visit.haemoglobin is not None and check in haemoglobin_checks and visit.haemoglobin < anaemia_hb:
        attention.append(R_ANAEMIA)
    if visit.vision_abnormal and check in vision_checks:
        attention.append(R_VISION)
    if visit.development_warning:
        high.insert(0, R_MILESTONE)
    if visit.high_risk:
        high.append(R_HIGH_RISK)
    classification = HIGH_RISK if high else ATTENTION if attention else NORMAL
    following = next_check(check)
    next_due = due_date(following, visit.birth_date, visit.discharge_date) if following else None
    referral = REFERRAL_ADVISED if visit.development_warning else REFERRAL_NONE
    ordered = [*(r for r in high if r), *attention, *(r for r in reasons if r not in high)]
    return Decision(classification, next_due, referral, (f"check_{check}", *dict.fromkeys(ordered)))
