"""The insurance global budget (医保总额付费) and fund splits as data, computed by pure functions: no Django.

records-referral-contracts.md "Money rules in the seeds":
- Zhijiang (004): the year's fund minus 10 % risk reserve, minus the critical-illness premium (25 yuan per
  insured person), minus 5 % for out-of-county care, is paid to the lead hospitals; paid quarterly in advance;
  the surplus is kept and split county : township : village = 6 : 3 : 1; within a tier by each member's share
  of the tier's services (or another setting). [U] both percentages are of the gross fund ("按总额扣除"), and
  the base of each deduction is a setting (``Deduction.base``).
- Sangzhi (001): fund minus 10 % risk reserve and private-institution spending (a fixed amount), paid monthly,
  "超支不补、结余留用": over-spend is not made good by the fund.
- Lianping (002): "合理超支分担": the fund may bear a share of an over-spend (``overspend_fund_share``).
- Public-health funds (000): 40 % to village clinics and community stations; of the remaining 60 %, about half
  operating costs (hired staff, consumables, office) and half performance pay (``PUBLIC_HEALTH_SPLIT``).
- Sangzhi (001): of an institution's surplus after costs and statutory funds, 70 % performance pay and 30 %
  development fund (``SANGZHI_SURPLUS_SPLIT``).

Money is Decimal yuan; every split goes through ``money.split_by_shares`` (largest remainder) and so adds up to
its total to the fen. Functions return codes, never translated text.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .money import FEN, split_by_shares

# Bases of a deduction.
BASE_GROSS = "gross"            # a fraction of the gross fund (004 [U] "按总额扣除")
BASE_REMAINING = "remaining"    # a fraction of what is left after the deductions before it
BASE_PER_INSURED = "per_insured"  # yuan per insured person (004: critical-illness premium 25 yuan)
BASE_FIXED = "fixed"            # a fixed amount (001: private-institution spending)
BASES = (BASE_GROSS, BASE_REMAINING, BASE_PER_INSURED, BASE_FIXED)

# Payment schedules.
SCHEDULE_MONTHLY = "monthly"          # 001 按月预付
SCHEDULE_QUARTERLY = "quarterly"      # 004 按季度预拨
SCHEDULE_YEARLY = "yearly"
SCHEDULES = (SCHEDULE_MONTHLY, SCHEDULE_QUARTERLY, SCHEDULE_YEARLY)

# How a tier's part is split among its members.
WITHIN_SERVICES = "services"   # 004: each member's share of the tier's services
WITHIN_SPEND = "spend"         # each member's share of the tier's insurance spend
WITHIN_EQUAL = "equal"
WITHIN_RULES = (WITHIN_SERVICES, WITHIN_SPEND, WITHIN_EQUAL)

TIERS = ("county", "township", "village")

# Result codes.
SURPLUS = "surplus"
DEFICIT = "deficit"
BALANCED = "balanced"

# Rule-check problem codes.
BAD_BASE = "bad_base"
BAD_RATE = "bad_rate"
BAD_SCHEDULE = "bad_schedule"
BAD_TIER_SHARES = "bad_tier_shares"
BAD_WITHIN = "bad_within"
BAD_OVERSPEND = "bad_overspend"
DEDUCTIONS_EXCEED_FUND = "deductions_exceed_fund"


def yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Deduction:
    code: str              # e.g. "risk_reserve", "critical_illness", "out_of_county", "private_institutions"
    base: str              # one of BASES
    rate: Decimal          # a fraction (gross, remaining), yuan per insured (per_insured), yuan (fixed)


@dataclass(frozen=True)
class BudgetRule:
    """A county's global-budget rule. ``tier_shares``: {tier: weight} for the surplus (004: 6 : 3 : 1);
    ``overspend_tier_shares``: for the consortium's part of a deficit (default: the same);
    ``overspend_fund_share``: the fraction of a deficit the fund bears (001 "超支不补": 0)."""

    deductions: tuple[Deduction, ...]
    schedule: str = SCHEDULE_QUARTERLY
    tier_shares: Mapping[str, Decimal] = field(default_factory=lambda: {"county": Decimal(6), "township": Decimal(3),
                                                                        "village": Decimal(1)})
    within_tier: str = WITHIN_SERVICES
    overspend_fund_share: Decimal = Decimal(0)
    overspend_tier_shares: Mapping[str, Decimal] | None = None


# Zhijiang (004), the digest's worked example.
ZHIJIANG = BudgetRule(
    deductions=(
        Deduction("risk_reserve", BASE_GROSS, Decimal("0.10")),
        Deduction("critical_illness", BASE_PER_INSURED, Decimal("25")),
        Deduction("out_of_county", BASE_GROSS, Decimal("0.05")),
    ),
    schedule=SCHEDULE_QUARTERLY,
)
# Sangzhi (001): 10 % risk reserve; private-institution spending is a fixed amount set per year (0 here).
SANGZHI = BudgetRule(
    deductions=(
        Deduction("risk_reserve", BASE_GROSS, Decimal("0.10")),
        Deduction("private_institutions", BASE_FIXED, Decimal("0")),
    ),
    schedule=SCHEDULE_MONTHLY,
)


def check_rule(rule: BudgetRule) -> list[str]:
    """Problem codes of a rule configuration (empty: valid)."""
    problems = []
    for d in rule.deductions:
        if d.base not in BASES:
            problems.append(BAD_BASE)
        rate = Decimal(str(d.rate))
        if rate < 0 or (d.base in (BASE_GROSS, BASE_REMAINING) and rate > 1):
            problems.append(BAD_RATE)
    if rule.schedule not in SCHEDULES:
        problems.append(BAD_SCHEDULE)
    for shares in (rule.tier_shares, rule.overspend_tier_shares):
        if shares is None:
            continue
        if (not shares or set(shares) - set(TIERS) or any(Decimal(str(v)) < 0 for v in shares.values())
                or sum(Decimal(str(v)) for v in shares.values()) == 0):
            problems.append(BAD_TIER_SHARES)
    if rule.within_tier not in WITHIN_RULES:
        problems.append(BAD_WITHIN)
    if not (0 <= Decimal(str(rule.overspend_fund_share)) <= 1):
        problems.append(BAD_OVERSPEND)
    return problems


@dataclass(frozen=True)
class FundResult:
    gross: Decimal
    insured: int
    deductions: tuple[tuple[str, Decimal], ...]   # (code, amount) in rule order
    paid: Decimal                                  # paid to the consortium

    @property
    def deducted(self) -> Decimal:
        return sum((a for _, a in self.deductions), Decimal("0.00"))


def compute_fund(gross, insured: int, rule: BudgetRule) -> FundResult:
    """The deductions and the amount paid to the consortium (004 worked example: 100,000,000 and 500,000
    insured → 10,000,000 + 12,500,000 + 5,000,000 deducted, 72,500,000 paid). Each deduction is rounded to
    the fen (half up); paid = gross − deductions, so the parts add up to the gross exactly."""
    gross = yuan(gross)
    remaining = gross
    parts = []
    for d in rule.deductions:
        rate = Decimal(str(d.rate))
        if d.base == BASE_GROSS:
            amount = yuan(gross * rate)
        elif d.base == BASE_REMAINING:
            amount = yuan(remaining * rate)
        elif d.base == BASE_PER_INSURED:
            amount = yuan(rate * insured)
        elif d.base == BASE_FIXED:
            amount = yuan(rate)
        else:
            raise ValueError(BAD_BASE)
        parts.append((d.code, amount))
        remaining -= amount
    if remaining < 0:
        raise ValueError(DEDUCTIONS_EXCEED_FUND)
    return FundResult(gross, insured, tuple(parts), remaining)


def _period_ends(year: int, schedule: str) -> list[dt.date]:
    if schedule == SCHEDULE_MONTHLY:
        return [dt.date(year, m, 1) for m in range(1, 13)]
    if schedule == SCHEDULE_QUARTERLY:
        return [dt.date(year, m, 1) for m in (1, 4, 7, 10)]
    if schedule == SCHEDULE_YEARLY:
        return [dt.date(year, 1, 1)]
    raise ValueError(BAD_SCHEDULE)


def payment_schedule(paid, year: int, schedule: str) -> list[tuple[dt.date, Decimal]]:
    """Instalments paid in advance at the start of each period (004 quarterly, 001 monthly), equal parts
    exact to the fen (the leftover fen to the earliest instalments)."""
    dates = _period_ends(year, schedule)
    return list(zip(dates, split_by_shares(paid, [1] * len(dates)), strict=True))


def due_by(schedule_rows: Sequence[tuple[dt.date, Decimal]], on: dt.date) -> Decimal:
    """What should have been paid by ``on``."""
    return sum((a for d, a in schedule_rows if d <= on), Decimal("0.00"))


def split_by_tier(amount, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """{tier: part} in the order of TIERS, exact to the fen (004: 2,500,000 → 1,500,000 / 750,000 / 250,000)."""
    tiers = [t for t in TIERS if t in shares]
    return dict(zip(tiers, split_by_shares(amount, [shares[t] for t in tiers]), strict=True))


def split_within(amount, weights: Mapping[object, Decimal], rule: str = WITHIN_SERVICES) -> dict[object, Decimal]:
    """A tier's part among its members by their weights (services, spend) or equally. If every weight is
    zero the part is split equally (nobody did anything: nobody earns more)."""
    keys = list(weights)
    if not keys:
        return {}
    values = [Decimal(str(weights[k])) for k in keys]
    if rule == WITHIN_EQUAL or sum(values) == 0:
        values = [Decimal(1)] * len(keys)
    return dict(zip(keys, split_by_shares(amount, values), strict=True))


@dataclass(frozen=True)
class YearEnd:
    code: str                      # SURPLUS / DEFICIT / BALANCED
    paid: Decimal
    spent: Decimal
    balance: Decimal               # paid − spent (negative: deficit)
    fund_bears: Decimal            # the fund's share of a deficit (0 for a surplus)
    consortium_amount: Decimal     # surplus kept, or the deficit the consortium bears (positive)
    by_tier: dict[str, Decimal]    # consortium_amount split by tier


def year_end(paid, spent, rule: BudgetRule) -> YearEnd:
    """Year-end settlement: a surplus is kept and split by tier (004: 6:3:1); a deficit is shared — the fund
    bears ``overspend_fund_share`` (001 "超支不补": 0; 002 "合理超支分担"), the consortium the rest, split by
    ``overspend_tier_shares`` (default: the surplus shares)."""
    paid, spent = yuan(paid), yuan(spent)
    balance = paid - spent
    if balance >= 0:
        code = SURPLUS if balance > 0 else BALANCED
        return YearEnd(code, paid, spent, balance, Decimal("0.00"), balance,
                       split_by_tier(balance, rule.tier_shares))
    deficit = -balance
    fund_share = Decimal(str(rule.overspend_fund_share))
    fund_bears, consortium = split_by_shares(deficit, [fund_share, 1 - fund_share]) if fund_share else (
        Decimal("0.00"), deficit)
    shares = rule.overspend_tier_shares or rule.tier_shares
    return YearEnd(DEFICIT, paid, spent, balance, fund_bears, consortium, split_by_tier(consortium, shares))


# --- fund splits as a tree: [(code, weight, children)] ------------------------------------------------------

@dataclass(frozen=True)
class Part:
    code: str
    weight: Decimal
    children: tuple[Part, ...] = ()


# Seed 000: 40 % to village clinics and community stations; 60 % of which about half operating costs (hired
# staff, consumables, office) and half performance pay.
PUBLIC_HEALTH_SPLIT = (
    Part("village", Decimal(40)),
    Part("township", Decimal(60), (Part("operating", Decimal(50)), Part("performance", Decimal(50)))),
)
# Seed 001 (Sangzhi): an institution's surplus after costs and statutory funds → 70 % performance, 30 % development.
SANGZHI_SURPLUS_SPLIT = (Part("performance", Decimal(70)), Part("development", Decimal(30)))


def split_fund(total, parts: Sequence[Part]) -> dict[str, Decimal]:
    """{leaf path ("township.operating"): amount}; the leaves add up to ``total`` exactly."""
    out: dict[str, Decimal] = {}

    def walk(amount: Decimal, nodes: Sequence[Part], prefix: str) -> None:
        amounts = split_by_shares(amount, [n.weight for n in nodes])
        for node, a in zip(nodes, amounts, strict=True):
            path = prefix + node.code
            if node.children:
                walk(a, node.children, path + ".")
            else:
                out[path] = a

    walk(yuan(total), parts, "")
    return out


def parts_from_data(data) -> tuple[Part, ...]:
    """[{"code":…, "weight":…, "children":[…]}] (a county's setting, JSON) → Parts."""
    return tuple(Part(str(d["code"]), Decimal(str(d["weight"])), parts_from_data(d.get("children") or []))
                 for d in data)


def parts_to_data(parts: Sequence[Part]) -> list[dict]:
    return [{"code": p.code, "weight": str(p.weight), **({"children": parts_to_data(p.children)} if p.children
                                                           else {})} for p in parts]


def rule_from_data(data: Mapping) -> BudgetRule:
    """A county's rule as stored (JSON) → BudgetRule."""
    over = data.get("overspend_tier_shares")
    return BudgetRule(
        deductions=tuple(Deduction(str(d["code"]), str(d["base"]), Decimal(str(d["rate"])))
                         for d in data.get("deductions", [])),
        schedule=str(data.get("schedule", SCHEDULE_QUARTERLY)),
        tier_shares={str(k): Decimal(str(v)) for k, v in (data.get("tier_shares") or {}).items()},
        within_tier=str(data.get("within_tier", WITHIN_SERVICES)),
        overspend_fund_share=Decimal(str(data.get("overspend_fund_share", "0"))),
        overspend_tier_shares={str(k): Decimal(str(v)) for k, v in over.items()} if over else None,
    )


def rule_to_data(rule: BudgetRule) -> dict:
    return {
        "deductions": [{"code": d.code, "base": d.base, "rate": str(d.rate)} for d in rule.deductions],
        "schedule": rule.schedule,
        "tier_shares": {k: str(v) for k, v in rule.tier_shares.items()},
        "within_tier": rule.within_tier,
        "overspend_fund_share": str(rule.overspend_fund_share),
        "overspend_tier_shares": ({k: str(v) for k, v in rule.overspend_tier_shares.items()}
                                  if rule.overspend_tier_shares else None),
    }


# --- forecast and penalties ---------------------------------------------------------------------------------

def forecast_year_spend(spent_to_date, year: int, through: dt.date) -> Decimal:
    """Straight-line year-end forecast: spend to date ÷ days elapsed × days in the year."""
    start = dt.date(year, 1, 1)
    days_in_year = (dt.date(year + 1, 1, 1) - start).days
    elapsed = min(max((through - start).days + 1, 0), days_in_year)
    if elapsed == 0:
        return Decimal("0.00")
    return yuan(Decimal(str(spent_to_date)) * days_in_year / elapsed)


def penalty(case_cost, lower_grade_average) -> Decimal:
    """Seed 004: a higher-level hospital that admits a disease on a lower grade's first-diagnosis catalog is
    charged the per-case cost difference (the case's cost − the lower grade's average; never negative)."""
    return max(yuan(case_cost) - yuan(lower_grade_average), Decimal("0.00"))


# --- settlement indicators (consortium-indicators.md, national 2024: 促分工 / 提效能) ---------------------------
# A settlement record: {"month": date (1st), "in_county": bool, "care": "inpatient"|"outpatient"|"pharmacy",
# "tier": "county"|"township"|"village"|None (None: not a consortium member), "fund_paid", "total_cost",
# "cases", "persons"}.
FUND_IN_COUNTY = "fund_in_county"      # 医保基金在县域内医疗机构的支出 (pharmacies excluded)
FUND_TOTAL = "fund_total"              # 本县参保人医保基金总支出（不含药店）
FUND_PRIMARY = "fund_primary"          # 医保基金在县域内基层医疗卫生机构（乡、村）的支出
STAYS_IN_COUNTY = "stays_in_county"    # 本县参保人在县域内住院人次
STAYS_TOTAL = "stays_total"            # 本县参保人住院总人次（含县外）
COST_IN_COUNTY = "cost_in_county"      # 本县参保人县域内住院总费用
PERSONS_IN_COUNTY = "persons_in_county"  # 本县参保人县域内住院人数
SETTLEMENT_MEASURES = (FUND_IN_COUNTY, FUND_TOTAL, FUND_PRIMARY, STAYS_IN_COUNTY, STAYS_TOTAL, COST_IN_COUNTY,
                       PERSONS_IN_COUNTY)


def settlement_counts(measure: str, record: Mapping) -> tuple[bool, Decimal]:
    """(does the record count for the measure, the amount it adds)."""
    care, inside = record["care"], record["in_county"]
    if measure == FUND_TOTAL:
        return care != "pharmacy", Decimal(str(record["fund_paid"]))
    if measure == FUND_IN_COUNTY:
        return care != "pharmacy" and inside, Decimal(str(record["fund_paid"]))
    if measure == FUND_PRIMARY:
        return (care != "pharmacy" and inside and record.get("tier") in ("township", "village"),
                Decimal(str(record["fund_paid"])))
    if measure == STAYS_TOTAL:
        return care == "inpatient", Decimal(record["cases"])
    if measure == STAYS_IN_COUNTY:
        return care == "inpatient" and inside, Decimal(record["cases"])
    if measure == COST_IN_COUNTY:
        return care == "inpatient" and inside, Decimal(str(record["total_cost"]))
    if measure == PERSONS_IN_COUNTY:
        return care == "inpatient" and inside, Decimal(record["persons"])
    raise ValueError(measure)


def settlement_measure(measure: str, records, start: dt.date, end: dt.date) -> Decimal:
    """The sum of a measure over the records whose month lies in [start, end] (settlement month)."""
    total = Decimal(0)
    for r in records:
        if start.replace(day=1) <= r["month"] <= end:
            counts, amount = settlement_counts(measure, r)
            if counts:
                total += amount
    return total
