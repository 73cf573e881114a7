"""Indicator arithmetic: periods, the encounter period rule, measures, figures and changes.

Pure functions, no Django. They return numbers and codes, never text (kpi translates the codes).
The same functions compute an indicator from a fixture's raw records, from the live rollup rows and
from a rebuild, so a rate is defined in exactly one place (design: "Shared concepts: indicators").

Definitions cited from ../shared/domain/consortium-indicators.md:
- 均次费用 = total cost / visits (or stays); 药占比 = drug cost / total cost; 医疗服务性收入占比 =
  medical-service income / total medical income ("The seeds' 成效分析").
- year-on-year change = relative change of the figure itself, not percentage points (same section).
- 县域内基层医疗卫生机构诊疗人次数占比, 县域内中医类诊疗量占比 ("National monitoring indicators", 2024).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# --- codes ----------------------------------------------------------------------------------------

PERIOD_INVALID = "period_invalid"
PERIOD_KINDS = ("month", "quarter", "year", "ytd")

UNIT_COUNT = "count"      # 人次
UNIT_PERCENT = "percent"  # %
UNIT_YUAN = "yuan"        # 元 per visit / stay
UNIT_TIMES = "times"      # 次 (a plain ratio, e.g. stock turnover)
UNIT_HOURS = "hours"      # 小时 (a mean duration: numerator hours / denominator cases)
UNIT_MINUTES = "minutes"  # 分钟 (a measured duration such as a median: the numerator itself, no denominator)
UNIT_PER_10K = "per_10k"  # 人/万常住人口 (numerator × 10,000 / population)

OUTPATIENT, EMERGENCY, INPATIENT = "outpatient", "emergency", "inpatient"
VISIT_KINDS = frozenset({OUTPATIENT, EMERGENCY})  # 诊疗人次: outpatient and emergency visits
STAY_KINDS = frozenset({INPATIENT})
ALL_KINDS = frozenset({OUTPATIENT, EMERGENCY, INPATIENT})
PRIMARY_TIERS = frozenset({"township", "village"})  # 基层医疗卫生机构: township and village tiers

# Sums kept per rollup cell; money in fen (integers: exact on every database).
MONEY_FIELDS = ("total_cost", "drug_cost", "consumables_cost", "medical_service_income", "insurance_paid")
SUM_FIELDS = ("visits", *MONEY_FIELDS)


class RuleError(ValueError):
    """Raised with a code (``.code``) that the app translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- periods --------------------------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])|YTD(?P<ytd>\d{2})))?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. ``number`` is the month (month, ytd: through that month), the quarter, or 0."""

    year: int
    kind: str
    number: int = 0

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-YTD{self.number:02d}"

    def months(self) -> tuple[tuple[int, int], ...]:
        if self.kind == "month":
            first, last = self.number, self.number
        elif self.kind == "quarter":
            first, last = 3 * self.number - 2, 3 * self.number
        elif self.kind == "year":
            first, last = 1, 12
        else:
            first, last = 1, self.number
        return tuple((self.year, m) for m in range(first, last + 1))

    @property
    def start(self) -> dt.date:
        year, month = self.months()[0]
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        year, month = self.months()[-1]
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    def __str__(self) -> str:
        return self.code


def parse_period(text: str) -> Period:
    """"2025" year, "2025-Q1" quarter, "2025-03" month, "2025-YTD03" January to March (year to date)."""
    match = _PERIOD_RE.match((text or "").strip())
    if not match:
        raise RuleError(PERIOD_INVALID)
    year = int(match["y"])
    if not 1900 <= year <= 2999:
        raise RuleError(PERIOD_INVALID)
    if match["m"]:
        month = int(match["m"])
        if not 1 <= month <= 12:
            raise RuleError(PERIOD_INVALID)
        return Period(year, "month", month)
    if match["q"]:
        return Period(year, "quarter", int(match["q"]))
    if match["ytd"]:
        month = int(match["ytd"])
        if not 1 <= month <= 12:
            raise RuleError(PERIOD_INVALID)
        return Period(year, "ytd", month)
    return Period(year, "year")


def same_period_last_year(period: Period) -> Period:
    """同比: the same period one year earlier."""
    return Period(period.year - 1, period.kind, period.number)


def previous_period(period: Period) -> Period | None:
    """环比: the period just before (month, quarter, year); year to date has none."""
    if period.kind == "month":
        return Period(period.year, "month", period.number - 1) if period.number > 1 else Period(
            period.year - 1, "month", 12)
    if period.kind == "quarter":
        return Period(period.year, "quarter", period.number - 1) if period.number > 1 else Period(
            period.year - 1, "quarter", 4)
    if period.kind == "year":
        return Period(period.year - 1, "year")
    return None


def has_ended(period: Period, today: dt.date) -> bool:
    return period.end < today


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    year, month = first
    out = []
    while (year, month) <= last:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- the encounter period rule -------------------------------------------------------------------


def encounter_month(kind: str, visit_date: dt.date | None, discharge_date: dt.date | None) -> tuple[int, int] | None:
    """The month an encounter counts in. Outpatient and emergency visits: the visit date. Inpatient stays:
    the discharge date (出院人次; the stay's cost is final at discharge); a stay not yet discharged counts
    nowhere yet."""
    day = discharge_date if kind == INPATIENT else visit_date
    return (day.year, day.month) if day else None


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def to_fen(value) -> int:
    """Yuan (a Decimal, or its string) to integer fen."""
    if value in (None, ""):
        return 0
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def encounter_cell(record: Mapping, tier: str) -> dict | None:
    """One encounter (the EncounterChanged payload shape) as a rollup cell with visits=1, or None when
    it counts in no month yet."""
    month = encounter_month(record["kind"], _as_date(record.get("visit_date")), _as_date(record.get("discharge_date")))
    if month is None:
        return None
    cell = {"institution_id": record["institution_id"], "month": month, "kind": record["kind"],
            "is_tcm": bool(record.get("is_tcm")), "tier": tier, "visits": 1}
    for name in MONEY_FIELDS:
        cell[name] = to_fen(record.get(name))
    return cell


# --- measures and figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A sum over encounter cells: ``field`` ("visits" or a money field) of the cells whose kind is in
    ``kinds``, tier in ``tiers`` (None: any) and TCM flag equal to ``tcm`` (None: any)."""

    field: str
    kinds: frozenset[str] = ALL_KINDS
    tiers: frozenset[str] | None = None
    tcm: bool | None = None

    def matches(self, cell: Mapping) -> bool:
        return (cell["kind"] in self.kinds and (self.tiers is None or cell["tier"] in self.tiers)
                and (self.tcm is None or bool(cell["is_tcm"]) == self.tcm))

    @property
    def is_money(self) -> bool:
        return self.field in MONEY_FIELDS


def measure_total(measure: Measure, cells: Iterable[Mapping], months: Iterable[tuple[int, int]] | None = None):
    """The measure over ``cells`` (optionally only those in ``months``): int visits, or Decimal yuan."""
    wanted = set(months) if months is not None else None
    total = 0
    for cell in cells:
        if wanted is not None and tuple(cell["month"]) not in wanted:
            continue
        if measure.matches(cell):
            total += cell[measure.field]
    return (Decimal(total) / 100).quantize(Decimal("0.01")) if measure.is_money else total


@dataclass(frozen=True)
class Figure:
    """An indicator's numerator, denominator (None for a plain count) and value."""

    numerator: Decimal | int
    denominator: Decimal | int | None
    value: Decimal | int | None

    def exact(self, unit: str):
        """The unrounded value (changes are computed from it, so they do not depend on display rounding)."""
        if unit == UNIT_COUNT or self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        ratio = Decimal(self.numerator) / Decimal(self.denominator)
        return ratio * 100 if unit == UNIT_PERCENT else ratio

    def as_dict(self) -> dict:
        return {"numerator": _plain(self.numerator), "denominator": _plain(self.denominator),
                "value": _plain(self.value)}


def _plain(number):
    if number is None:
        return None
    return str(number) if isinstance(number, Decimal) else number


def figure_value(numerator, denominator, unit: str):
    """percent: numerator / denominator × 100; yuan: numerator / denominator; count: the numerator.
    Rounded half-up to 2 places; None when the denominator is 0."""
    if unit == UNIT_COUNT or (unit == UNIT_MINUTES and denominator is None):
        return numerator
    if not denominator:
        return None
    ratio = Decimal(numerator) / Decimal(denominator)
    if unit == UNIT_PERCENT:
        ratio *= 100
    return ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def make_figure(numerator, denominator, unit: str) -> Figure:
    return Figure(numerator, denominator, figure_value(numerator, denominator, unit))


@dataclass(frozen=True)
class RatioSpec:
    """An encounter indicator: numerator / denominator (denominator None: a count)."""

    numerator: Measure
    denominator: Measure | None
    unit: str

    def figure(self, cells: Iterable[Mapping], months: Iterable[tuple[int, int]] | None = None) -> Figure:
        cells = list(cells)
        months = list(months) if months is not None else None
        num = measure_total(self.numerator, cells, months)
        den = measure_total(self.denominator, cells, months) if self.denominator else None
        return make_figure(num, den, self.unit)


def relative_change(current, previous) -> Decimal | None:
    """(current − previous) / previous × 100, in percent of the figure itself (not percentage points);
    None when either is missing or the previous is 0. 000 成效分析: 门诊人次较去年同期增长10.74%."""
    if current is None or previous in (None, 0):
        return None
    change = (Decimal(current) - Decimal(previous)) / Decimal(previous) * 100
    return change.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def difference(current, previous) -> Decimal | None:
    """A revision's difference (new − reported), in the indicator's own unit."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)


# --- resident stocks (attribution at the period end) ---------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A resident placed in an area from ``start`` until ``end`` (exclusive; None: still there)."""

    resident_id: int
    area_id: int
    start: dt.date
    end: dt.date | None = None


def placed_at(placements: Iterable[Placement], day: dt.date) -> dict[int, int]:
    """{resident_id: area_id} of residents counted on ``day``: a resident counts for the area of their
    residence at the end of the period (design: "Attribution and closed periods")."""
    out: dict[int, int] = {}
    for p in placements:
        if p.start <= day and (p.end is None or p.end > day):
            out[p.resident_id] = p.area_id
    return out


@dataclass(frozen=True)
class Flow:
    area_id: int
    month: tuple[int, int]
    delta: int


def placement_flows(placements: Iterable[Placement]) -> list[Flow]:
    """+1 in the month a placement starts, −1 in the month it ends; the stock at the end of a month is the
    sum of flows up to and including it (a placement ending on day d is no longer counted on day d)."""
    out: list[Flow] = []
    for p in placements:
        out.append(Flow(p.area_id, (p.start.year, p.start.month), +1))
        if p.end is not None:
            out.append(Flow(p.area_id, (p.end.year, p.end.month), -1))
    return out


def stock_at(flows: Iterable[Flow], month: tuple[int, int], area_ids: Iterable[int] | None = None) -> int:
    wanted = set(area_ids) if area_ids is not None else None
    return sum(f.delta for f in flows if f.month <= month and (wanted is None or f.area_id in wanted))


# --- cuts ------------------------------------------------------------------------------------------

CUT_INVALID = "cut_invalid"
LEVELS = ("county", "tier", "township", "institution", "area")
TIERS = ("county", "township", "village")


@dataclass(frozen=True)
class Cut:
    """Where a figure is cut: the whole county, one tier, one township (its township centre and the village
    clinics in it), one institution, or one area (residence: the subtree of an Area)."""

    level: str = "county"
    key: str = ""

    @property
    def code(self) -> str:
        return self.level if self.level == "county" else f"{self.level}:{self.key}"

    def __str__(self) -> str:
        return self.code


COUNTY = Cut()


def parse_cut(text: str | None) -> Cut:
    text = (text or "county").strip()
    if text == "county":
        return COUNTY
    level, _, key = text.partition(":")
    if level not in LEVELS or not key:
        raise RuleError(CUT_INVALID)
    if level == "tier" and key not in TIERS:
        raise RuleError(CUT_INVALID)
    if level != "tier" and not key.isdigit():
        raise RuleError(CUT_INVALID)
    return Cut(level, key)


# --- declarations ---------------------------------------------------------------------------------

STATUS_LIVE = "live"                # computed live from the platform's data
STATUS_AWAITING = "awaiting"        # the module that produces its data is not built yet
STATUS_NEEDS_DATA = "needs_data"    # needs data from outside (e.g. insurance settlements), not imported yet
STATUSES = (STATUS_LIVE, STATUS_AWAITING, STATUS_NEEDS_DATA)
DIRECTIONS = ("up", "down", "neutral")
SOURCES = ("national_2024", "seed", "programme")
UNITS = (UNIT_COUNT, UNIT_PERCENT, UNIT_YUAN, UNIT_TIMES, UNIT_HOURS, UNIT_MINUTES, UNIT_PER_10K)


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One indicator, declared once in its owning app's ``indicators.py`` as ``INDICATORS = [...]``.

    Texts (``name``, ``numerator``, ``denominator``, ``period_rule``, ``data_needs``, ``group``) are the
    app's gettext_lazy strings (Chinese source, English translation); this module never reads them.
    The computation is ``spec`` (a ratio of encounter measures: kpi keeps its rollups, rebuild and
    drill-down) or ``hooks`` (an object the owning app provides with ``live(period, cut, shape)``,
    ``drilldown(user, period, cut, shape)``, ``drill_figure(queryset)``, ``rebuild()``, ``pure(records,
    period, cut, shape)`` and, for its drill-down page, ``drill_template`` and ``drill_rows(queryset,
    export)``; ``shape`` is kpi's map of institutions, townships and areas). Indicators whose data is not here yet declare ``status`` and ``data_needs`` and
    have neither."""

    code: str
    name: object
    numerator: object
    denominator: object = ""
    unit: str
    direction: str
    source: str
    levels: tuple[str, ...]
    period_rule: object
    group: object = ""
    spec: RatioSpec | None = None
    hooks: object = None
    status: str = STATUS_LIVE
    data_needs: object = ""
    fixture: str = ""
    periods: tuple[str, ...] = ("month", "quarter", "year", "ytd")
    order: int = 100

    @property
    def computable(self) -> bool:
        return self.status == STATUS_LIVE and (self.spec is not None or self.hooks is not None)


def declaration_problems(indicator: Indicator) -> list[str]:
    """Codes of what is wrong with a declaration (empty when it is complete)."""
    problems = []
    if not re.fullmatch(r"[a-z][a-z0-9_.]{2,60}", indicator.code):
        problems.append("code_invalid")
    if indicator.unit not in UNITS:
        problems.append("unit_invalid")
    if indicator.direction not in DIRECTIONS:
        problems.append("direction_invalid")
    if indicator.source not in SOURCES:
        problems.append("source_invalid")
    if not indicator.levels or any(level not in LEVELS for level in indicator.levels):
        problems.append("levels_invalid")
    if indicator.status not in STATUSES:
        problems.append("status_invalid")
    if indicator.status == STATUS_LIVE:
        if (indicator.spec is None) == (indicator.hooks is None):
            problems.append("computation_missing")
        if not indicator.fixture:
            problems.append("fixture_missing")
        if indicator.spec is not None and indicator.spec.unit != indicator.unit:
            problems.append("unit_mismatch")
    elif not indicator.data_needs:
        problems.append("data_needs_missing")
    if not indicator.name or not indicator.numerator or not indicator.period_rule:
        problems.append("words_missing")
    if indicator.unit not in (UNIT_COUNT, UNIT_MINUTES) and not indicator.denominator:
        problems.append("words_missing")
    return problems
