"""Children 0–6 (0–6岁儿童健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Children 0–6, cited as "spec §Child <part>".
The schedule is the digest's [C]; growth is judged against WS/T 423-2022 (7岁以下儿童生长标准) using a
reference *table kept as data* that the county's child-health department supplies (``parse_rows`` validates
it, ``build_table`` / ``assess_growth`` use it). No number of the standard is typed here; with no table loaded
the growth result is "no_table", where the table has no row "no_reference" (nothing is guessed). Anaemia and vision are not in the digest: the
checks at which they are done and the haemoglobin threshold are [U] and passed in as settings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from yigongti.rules.chronic import REFERRAL_ADVISED, REFERRAL_NONE, Decision, RuleError, add_days, add_months

PROGRAMME = "child"
MAX_AGE_YEARS = 6   # spec §Child: 0–6 years [C]
# spec §Child "0–6岁儿童健康管理" [C]: the programme is for children aged 0–6 (the last check is at 6 years), so
# an enrolment ends on the 7th birthday (reason "aged_out"); the nightly job does it (chronic/nightly.py).
LEAVE_AGE_YEARS = MAX_AGE_YEARS + 1

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
R_UNDERWEIGHT = "child_underweight"      # 低体重: weight-for-age below the cut-off (WS/T 423-2022 table)
R_STUNTING = "child_stunting"            # 生长迟缓: length/height-for-age below the cut-off
R_WASTING = "child_wasting"              # 消瘦: weight-for-length/height below the cut-off
R_OVERWEIGHT = "child_overweight"        # 超重: weight-for-length/height above the overweight cut-off
R_OBESITY = "child_obesity"              # 肥胖: weight-for-length/height above the obesity cut-off
R_NO_REFERENCE = "child_growth_no_reference"   # the loaded table has no row for this age / length
R_NO_TABLE = "child_growth_no_table"           # no reference table loaded: growth not assessed
GROWTH_HIGH_RISK = (R_UNDERWEIGHT, R_STUNTING, R_WASTING, R_OBESITY)   # [U] 体弱儿-type findings → high risk
GROWTH_ATTENTION = (R_OVERWEIGHT,)                                     # [U]
GROWTH_REASONS = (*GROWTH_HIGH_RISK, *GROWTH_ATTENTION, R_NO_REFERENCE, R_NO_TABLE)
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
# The standard's tables are NOT shipped: no copy of WS/T 423-2022 that could be checked was found, so no number
# of it is typed here (see docs/chronic.md). The county's child-health department supplies the SD tables as a
# CSV (``yigongti chronic import-growth-table``); ``parse_rows`` validates them, ``build_table`` makes the
# lookup, ``assess_growth`` judges a measurement against whatever table is loaded. With no table loaded every
# measurement gives ``R_NO_TABLE`` (nothing is guessed).

WEIGHT_FOR_AGE = "weight_for_age"        # 年龄别体重, x = age in completed months
HEIGHT_FOR_AGE = "height_for_age"        # 年龄别身长/身高, x = age in completed months
WEIGHT_FOR_LENGTH = "weight_for_length"  # 身长别体重 (lying length), x = length in cm
WEIGHT_FOR_HEIGHT = "weight_for_height"  # 身高别体重 (standing height), x = height in cm
INDICATORS = (WEIGHT_FOR_AGE, HEIGHT_FOR_AGE, WEIGHT_FOR_LENGTH, WEIGHT_FOR_HEIGHT)
AGE_INDICATORS = (WEIGHT_FOR_AGE, HEIGHT_FOR_AGE)
SEXES = ("1", "2")                       # GB/T 2261.1: 1 boy, 2 girl
# the SD columns as the standard prints its SD tables: −3SD … median … +3SD
SD_COLUMNS = ("sd_neg3", "sd_neg2", "sd_neg1", "median", "sd_pos1", "sd_pos2", "sd_pos3")
CSV_COLUMNS = ("indicator", "sex", "x", *SD_COLUMNS)
MAX_MONTHS = 83                          # "7岁以下": under 84 completed months (the standard's title) [C]
LENGTH_UNTIL_MONTHS = 24                 # [U] lying length (and weight-for-length) under 2 years, height after
X_RANGE = {WEIGHT_FOR_AGE: (Decimal(0), Decimal(MAX_MONTHS)), HEIGHT_FOR_AGE: (Decimal(0), Decimal(MAX_MONTHS)),
           WEIGHT_FOR_LENGTH: (Decimal(30), Decimal(140)), WEIGHT_FOR_HEIGHT: (Decimal(30), Decimal(140))}  # [U] sanity


@dataclass(frozen=True)
class Cutoffs:
    """The cut-offs in SD units of the reference (a value strictly beyond the column counts). [U]: the usual
    reading of the national child-health norms (low weight, stunting, wasting below −2SD; overweight above +2SD,
    obesity above +3SD of weight-for-length/height); not checked against the 2022 text — a setting."""
    underweight: int = -2   # weight-for-age below
    stunting: int = -2      # length/height-for-age below
    wasting: int = -2       # weight-for-length/height below
    overweight: int = 2     # weight-for-length/height above (and not above ``obesity``)
    obesity: int = 3        # weight-for-length/height above


CUTOFFS = Cutoffs()


@dataclass(frozen=True)
class ReferenceRow:
    indicator: str
    sex: str
    x: Decimal                      # months (age tables) or cm (length/height tables)
    values: tuple[Decimal, ...]     # the seven SD columns, −3SD … +3SD

    def at(self, sd: int) -> Decimal:
        return self.values[sd + 3]


@dataclass(frozen=True)
class GrowthTable:
    series: dict                    # (indicator, sex) → tuple of ReferenceRow sorted by x

    def __bool__(self) -> bool:
        return bool(self.series)

    def rows(self) -> int:
        return sum(len(v) for v in self.series.values())

    def lookup(self, indicator: str, sex: str, x) -> ReferenceRow | None:
        """Age tables: the row of the age group the child is in (the last row at or below the completed
        months, and not past the table's last group). Length/height tables: the nearest row, no further
        than half the table's step from it. None where the table has no such row."""
        rows = self.series.get((indicator, sex))
        if not rows or x is None:
            return None
        x = Decimal(str(x))
        if indicator in AGE_INDICATORS:
            below = [r for r in rows if r.x <= x]
            if not below:
                return None
            row = below[-1]
            if row is rows[-1] and x != row.x:
                step = rows[-1].x - rows[-2].x if len(rows) > 1 else Decimal(0)
                if x >= row.x + step:
                    return None
            return row
        i = min(range(len(rows)), key=lambda k: (abs(rows[k].x - x), rows[k].x))
        row = rows[i]
        neighbours = [abs(rows[j].x - row.x) for j in (i - 1, i + 1) if 0 <= j < len(rows)]
        half = (min(neighbours) / 2) if neighbours else Decimal(0)
        return row if abs(row.x - x) <= half else None


EMPTY_TABLE = GrowthTable({})


def build_table(rows) -> GrowthTable:
    series: dict = {}
    for row in rows:
        series.setdefault((row.indicator, row.sex), []).append(row)
    return GrowthTable({k: tuple(sorted(v, key=lambda r: r.x)) for k, v in series.items()})


def _decimal(value) -> Decimal | None:
    try:
        d = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def parse_rows(records) -> tuple[list[ReferenceRow], list[tuple[int, str, str]]]:
    """Validate the supplied table. ``records``: dicts keyed by CSV_COLUMNS (a CSV's DictReader), numbered
    from line 2. Returns (rows, errors); errors are (line, column, code): missing_column, unknown_indicator,
    unknown_sex, bad_number, x_out_of_range, x_not_whole_months, not_positive, sd_not_increasing,
    duplicate_row, empty_table. A table with any error is refused whole (a half table would judge wrongly)."""
    rows: list[ReferenceRow] = []
    errors: list[tuple[int, str, str]] = []
    seen: dict = {}
    for line, rec in enumerate(records, start=2):
        rec = {(k or "").strip().lower(): (v or "").strip() for k, v in rec.items() if k is not None}
        missing = [c for c in CSV_COLUMNS if c not in rec]
        if missing:
            errors.extend((line, c, "missing_column") for c in missing)
            continue
        if not any(rec[c] for c in CSV_COLUMNS):
            continue   # a blank line
        bad = False
        indicator, sex = rec["indicator"], rec["sex"]
        if indicator not in INDICATORS:
            errors.append((line, "indicator", "unknown_indicator"))
            bad = True
        if sex not in SEXES:
            errors.append((line, "sex", "unknown_sex"))
            bad = True
        x = _decimal(rec["x"])
        if x is None:
            errors.append((line, "x", "bad_number"))
            bad = True
        elif indicator in X_RANGE:
            low, high = X_RANGE[indicator]
            if not low <= x <= high:
                errors.append((line, "x", "x_out_of_range"))
                bad = True
            elif indicator in AGE_INDICATORS and x != x.to_integral_value():
                errors.append((line, "x", "x_not_whole_months"))
                bad = True
        values = []
        for c in SD_COLUMNS:
            v = _decimal(rec[c])
            if v is None:
                errors.append((line, c, "bad_number"))
                bad = True
            elif v <= 0:
                errors.append((line, c, "not_positive"))
                bad = True
            values.append(v)
        if not bad and any(a >= b for a, b in zip(values, values[1:], strict=False)):
            errors.append((line, "median", "sd_not_increasing"))
            bad = True
        if bad:
            continue
        key = (indicator, sex, x)
        if key in seen:
            errors.append((line, "x", "duplicate_row"))
            continue
        seen[key] = line
        rows.append(ReferenceRow(indicator, sex, x, tuple(values)))
    if not rows and not errors:
        errors.append((1, "indicator", "empty_table"))
    return rows, errors


def completed_months(birth_date: dt.date, on: dt.date) -> int:
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if on.day < birth_date.day:
        months -= 1
    return max(months, 0)


def assess_growth(sex: str, months: int, *, weight: Decimal | None, height: Decimal | None, table: GrowthTable,
                  cutoffs: Cutoffs = CUTOFFS, length_until_months: int = LENGTH_UNTIL_MONTHS) -> tuple[str, ...]:
    """Growth codes of one measurement against the loaded table: weight-for-age below the cut-off → low
    weight; length/height-for-age below → stunting; weight-for-length (under ``length_until_months``) or
    weight-for-height below → wasting, above the obesity cut-off → obesity, else above the overweight cut-off
    → overweight. No table → ``R_NO_TABLE``; a measurement the table has no row for → ``R_NO_REFERENCE``."""
    if weight is None and height is None:
        return ()
    if not table:
        return (R_NO_TABLE,)
    weight = Decimal(str(weight)) if weight is not None else None
    height = Decimal(str(height)) if height is not None else None
    out = []
    checks = []
    if months > MAX_MONTHS:
        return (R_NO_REFERENCE,)
    if weight is not None:
        checks.append((WEIGHT_FOR_AGE, months, weight))
    if height is not None:
        checks.append((HEIGHT_FOR_AGE, months, height))
    if weight is not None and height is not None:
        checks.append((WEIGHT_FOR_LENGTH if months < length_until_months else WEIGHT_FOR_HEIGHT, height, weight))
    for indicator, x, value in checks:
        row = table.lookup(indicator, sex, x)
        if row is None:
            out.append(R_NO_REFERENCE)
        elif indicator == WEIGHT_FOR_AGE:
            if value < row.at(cutoffs.underweight):
                out.append(R_UNDERWEIGHT)
        elif indicator == HEIGHT_FOR_AGE:
            if value < row.at(cutoffs.stunting):
                out.append(R_STUNTING)
        elif value < row.at(cutoffs.wasting):
            out.append(R_WASTING)
        elif value > row.at(cutoffs.obesity):
            out.append(R_OBESITY)
        elif value > row.at(cutoffs.overweight):
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


def classify(visit: ChildVisit, previous_classification: str | None = None, *, table: GrowthTable | None = None,
             cutoffs: Cutoffs = CUTOFFS, anaemia_hb: int = ANAEMIA_HB, haemoglobin_checks=HAEMOGLOBIN_CHECKS,
             vision_checks=VISION_CHECKS) -> Decision:
    """One child check: high_risk for low weight, stunting, wasting or obesity (``assess_growth`` against the
    loaded table), development warning signs (→ referral advised) or a high-risk flag; attention for
    overweight, anaemia or an abnormal vision check; else normal. The next check is
    the schedule's next one (spec §Child [C]); after the 6-year check nothing further (next_due None)."""
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    check = check_for(visit.birth_date, visit.visit_date, visit.discharge_date, visit.check)
    table = EMPTY_TABLE if table is None else table
    months = completed_months(visit.birth_date, visit.visit_date)
    reasons = list(assess_growth(visit.sex, months, weight=visit.weight, height=visit.height, table=table,
                                 cutoffs=cutoffs))
    high = [r for r in reasons if r in GROWTH_HIGH_RISK]
    attention = [r for r in reasons if r in GROWTH_ATTENTION]
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
    ordered = [*high, *attention, *(r for r in reasons if r not in high and r not in attention)]
    return Decision(classification, next_due, referral, (f"check_{check}", *dict.fromkeys(ordered)))
