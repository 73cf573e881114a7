"""Work points (工分制), pure: no Django.

Seed 001 (Sangzhi): "全员工分制管理模式，充分体现多劳多得、优绩优酬"; seed 003 (Tanghe): performance "以服务质量、
服务绩效、服务满意度为依据". Each service the platform recorded earns its point value (a county setting, data);
a staff member's month = Σ count × value, times a quality factor drawn from rates such as the control rate
and contract fulfilment, clamped to [floor, ceiling]. A pool of performance pay is then split by points to the
fen (largest remainder, money.split_by_shares).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .money import split_by_shares

POINT = Decimal("0.01")

# Service kinds earning points (the app names their sources; values are a county setting) [U: the values].
FOLLOWUP = "followup"          # face-to-face chronic follow-up
CONTRACT = "contract"          # family-doctor contract signed
EXAM = "exam"                  # health exam
HOME_VISIT = "home_visit"      # home visit
REFERRAL = "referral"          # referral handled (sent or accepted)
READING = "reading"            # remote reading reported (diagnostics)
OUTREACH = "outreach"          # expert outreach activity
KINDS = (FOLLOWUP, CONTRACT, EXAM, HOME_VISIT, REFERRAL, READING, OUTREACH)

DEFAULT_VALUES = {
    FOLLOWUP: Decimal("2"), CONTRACT: Decimal("3"), EXAM: Decimal("2"), HOME_VISIT: Decimal("3"),
    REFERRAL: Decimal("2"), READING: Decimal("1"), OUTREACH: Decimal("5"),
}


@dataclass(frozen=True)
class QualityRule:
    """factor = floor + (ceiling − floor) × Σ weight·rate / Σ weight over the rates known (0…1)."""

    weights: Mapping[str, Decimal] = field(default_factory=lambda: {"control_rate": Decimal(1),
                                                                    "fulfilment": Decimal(1)})
    floor: Decimal = Decimal("0.8")
    ceiling: Decimal = Decimal("1.2")


def q(value) -> Decimal:
    return Decimal(str(value)).quantize(POINT, rounding=ROUND_HALF_UP)


def base_points(counts: Mapping[str, int], values: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """{kind: count × value} for the kinds with a value; kinds without a value earn nothing."""
    return {k: q(Decimal(n) * Decimal(str(values[k]))) for k, n in counts.items() if k in values and n}


def quality_factor(rates: Mapping[str, Decimal | None], rule: QualityRule = QualityRule()) -> Decimal:
    """The factor from the rates that are known; with none known the factor is 1 (neither bonus nor malus)."""
    known = [(Decimal(str(rule.weights[k])), min(max(Decimal(str(v)), Decimal(0)), Decimal(1)))
             for k, v in rates.items() if v is not None and k in rule.weights]
    weight = sum((w for w, _ in known), Decimal(0))
    if not known or weight == 0:
        return Decimal("1.00")
    score = sum((w * r for w, r in known), Decimal(0)) / weight
    return q(rule.floor + (rule.ceiling - rule.floor) * score)


@dataclass(frozen=True)
class Month:
    by_kind: dict[str, Decimal]
    base: Decimal
    factor: Decimal
    total: Decimal


def month_points(counts: Mapping[str, int], values: Mapping[str, Decimal], factor: Decimal = Decimal(1)) -> Month:
    by_kind = base_points(counts, values)
    base = sum(by_kind.values(), Decimal("0.00"))
    return Month(by_kind, base, q(factor), q(base * Decimal(str(factor))))


def pay_by_points(pool, points: Mapping[object, Decimal]) -> dict[object, Decimal]:
    """Split a performance-pay pool by points, exact to the fen; nobody with points: nothing is paid."""
    keys = [k for k in points if Decimal(str(points[k])) > 0]
    if not keys:
        return {k: Decimal("0.00") for k in points}
    paid = dict(zip(keys, split_by_shares(pool, [points[k] for k in keys]), strict=True))
    return {k: paid.get(k, Decimal("0.00")) for k in points}
