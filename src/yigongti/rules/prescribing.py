"""Prescribing and stock allocation rules (records-referral-contracts.md "Prescribing"). Pure: no Django.

Every check returns codes (the pharmacy app turns them into Chinese field messages):

    check_line(tier="village", prescriber_is_village_doctor=True, prescriber_title="junior",
               long_term=True, drug=DrugFacts(...), in_tier_catalog=True) -> ["antibiotic_level", ...]
    check_duration(long_term=True, days=91) -> "long_too_long"
    allocate_fefo([Lot(id=1, expiry=date(...), available=30), ...], 50, today) -> [(1, 30), (2, 20)]
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# 长期处方管理规范（试行）(2021) 第十一条: 长期处方的处方量一般在4周内，根据慢性病特点，病情稳定的患者适当延长，
# 最长不超过12周.
LONG_MAX_WEEKS = 12
LONG_MAX_DAYS = LONG_MAX_WEEKS * 7
# 处方管理办法 第十九条: 处方一般不得超过7日用量；急诊处方一般不得超过3日用量；对于某些慢性病、老年病或特殊
# 情况，处方用量可适当延长 — the ordinary ceiling is a setting of the app; this is its default [U].
ORDINARY_MAX_DAYS = 30

# 抗菌药物临床应用管理办法 (卫生部令第84号) 第六条: 非限制使用级、限制使用级、特殊使用级.
UNRESTRICTED = "unrestricted"
RESTRICTED = "restricted"
SPECIAL = "special"
ANTIBIOTIC_RANK = {"": 0, UNRESTRICTED: 1, RESTRICTED: 2, SPECIAL: 3}

# 麻醉药品和精神药品管理条例, 医疗用毒性药品管理办法, 放射性药品管理办法, 易制毒化学品管理条例.
NARCOTIC = "narcotic"
PSYCHOTROPIC_1 = "psychotropic_1"
PSYCHOTROPIC_2 = "psychotropic_2"
TOXIC = "toxic"
RADIOACTIVE = "radioactive"
PRECURSOR = "precursor"
CONTROLLED = frozenset({NARCOTIC, PSYCHOTROPIC_1, PSYCHOTROPIC_2, TOXIC, RADIOACTIVE, PRECURSOR})
# Drugs that need the special 麻醉药品和第一类精神药品处方资格 (条例 第三十六条): never at village level.
NEEDS_SPECIAL_PRIVILEGE = frozenset({NARCOTIC, PSYCHOTROPIC_1})


@dataclass(frozen=True)
class DrugFacts:
    antibiotic_level: str = ""   # "" (not an antibiotic), unrestricted, restricted, special
    controlled_class: str = ""   # "" or one of CONTROLLED
    active: bool = True


def antibiotic_authority(*, is_village_doctor: bool, title: str) -> str:
    """The highest antibiotic level a prescriber may use. 办法 第二十四条: 具有高级专业技术职务任职资格的医师
    可授予特殊使用级；中级 → 限制使用级；初级 and 乡村医生 → 非限制使用级."""
    if is_village_doctor:
        return UNRESTRICTED
    if title in ("associate_senior", "senior"):
        return SPECIAL
    if title == "intermediate":
        return RESTRICTED
    return UNRESTRICTED


def check_duration(*, long_term: bool, days: int, ordinary_max_days: int = ORDINARY_MAX_DAYS,
                   long_max_days: int = LONG_MAX_DAYS) -> str | None:
    """None when the duration is allowed, else a code: "days_required", "long_too_long" (over 12 weeks),
    "ordinary_too_long" (an ordinary prescription over the ordinary ceiling)."""
    if days is None or days < 1:
        return "days_required"
    if long_term:
        return "long_too_long" if days > long_max_days else None
    return "ordinary_too_long" if days > ordinary_max_days else None


def check_line(*, tier: str, prescriber_is_village_doctor: bool, prescriber_title: str, long_term: bool,
               drug: DrugFacts, in_tier_catalog: bool) -> list[str]:
    """Codes of every rule one prescription line breaks (empty = allowed)."""
    codes: list[str] = []
    if not drug.active:
        codes.append("inactive")
    if not in_tier_catalog:
        codes.append("not_in_tier_catalog")
    if drug.antibiotic_level:
        allowed = antibiotic_authority(is_village_doctor=prescriber_is_village_doctor, title=prescriber_title)
        if ANTIBIOTIC_RANK.get(drug.antibiotic_level, 3) > ANTIBIOTIC_RANK[allowed]:
            codes.append("antibiotic_level")
    if drug.controlled_class in CONTROLLED:
        # 长期处方管理规范 第十二条: 不得开具麻醉药品、精神药品、医疗用毒性药品、放射性药品、易制毒药品等长期处方.
        if long_term:
            codes.append("controlled_long_term")
        if drug.controlled_class in NEEDS_SPECIAL_PRIVILEGE and (tier == "village" or prescriber_is_village_doctor):
            codes.append("controlled_village")
    return codes


@dataclass(frozen=True)
class Lot:
    id: int
    expiry: dt.date
    available: int


class Shortage(Exception):
    """Not enough unexpired stock: ``available`` is what could be given."""

    def __init__(self, available: int):
        super().__init__(f"only {available} available")
        self.available = available


def fefo_order(lots: list[Lot]) -> list[Lot]:
    """First-expiry-first-out, ties by id: the same order the batches are locked in."""
    return sorted(lots, key=lambda lot: (lot.expiry, lot.id))


def allocate_fefo(lots: list[Lot], quantity: int, today: dt.date) -> list[tuple[int, int]]:
    """Take ``quantity`` from the lots, earliest expiry first, skipping expired lots (a lot expiring today is
    still usable today) and empty ones. Returns [(lot id, taken)] in FEFO order; raises Shortage."""
    if quantity < 1:
        raise ValueError("quantity must be positive")
    usable = [lot for lot in fefo_order(lots) if lot.expiry >= today and lot.available > 0]
    out: list[tuple[int, int]] = []
    left = quantity
    for lot in usable:
        take = min(lot.available, left)
        out.append((lot.id, take))
        left -= take
        if left == 0:
            return out
    raise Shortage(quantity - left)


def near_expiry(expiry: dt.date, today: dt.date, days: int) -> bool:
    """Still usable but expiring within ``days`` (the near-expiry alert)."""
    return today <= expiry <= today + dt.timedelta(days=days)


# --- figures (pharmacy/indicators.py) ------------------------------------------------------------------------
# Records are plain dicts; money is Decimal yuan. ``ids`` None = every institution. A record counts in the
# period when its date lies in [start, end].

ONLINE = "online_purchase"      # 网上采购率: value ordered on the provincial platform / all orders' value
SAVINGS = "procurement_savings"  # 集采节约率: Σ(reference − price)×qty / Σ reference×qty, centrally procured lines
LOSS = "loss"                    # 报损率: scrapped value / (dispensed + scrapped value)


def _in(record: dict, start: dt.date, end: dt.date, ids) -> bool:
    return start <= record["on"] <= end and (ids is None or record["institution_id"] in ids)


def figure_parts(measure: str, records, start: dt.date, end: dt.date, ids=None) -> tuple[Decimal, Decimal]:
    """(numerator, denominator) in yuan of one pharmacy figure.

    ONLINE: records {institution_id, on, value, on_platform} per order line (国家监测指标 "药品网上采购率" —
    the consortium's unified purchasing on the provincial platform, issue 14 §2).
    SAVINGS: records {institution_id, on, quantity, unit_price, reference_price, centrally_procured}; lines
    without a reference price are left out of both parts.
    LOSS: records {institution_id, on, kind, value} of stock moves, kind "scrap" or "dispense" (value ≥ 0)."""
    num = den = Decimal("0")
    for r in records:
        if not _in(r, start, end, ids):
            continue
        if measure == ONLINE:
            den += r["value"]
            if r["on_platform"]:
                num += r["value"]
        elif measure == SAVINGS:
            if not r["centrally_procured"] or r["reference_price"] is None:
                continue
            ref = r["reference_price"] * r["quantity"]
            den += ref
            num += ref - r["unit_price"] * r["quantity"]
        elif measure == LOSS:
            if r["kind"] == "scrap":
                num += r["value"]
                den += r["value"]
            elif r["kind"] == "dispense":
                den += r["value"]
        else:
            raise ValueError(measure)
    cent = Decimal("0.01")
    return num.quantize(cent), den.quantize(cent)


def turnover_parts(moves, start: dt.date, end: dt.date, ids=None) -> tuple[Decimal, Decimal]:
    """库存周转次数 = cost of drugs dispensed in [start, end] / average stock value, where the average is
    (stock value at the start + stock value at the end) / 2 (the usual 平均库存 of pharmacy management;
    issue 14 §7 "turnover"). ``moves`` are every ledger row {institution_id, on, kind, value} with a SIGNED
    value at cost (receipts positive, dispensing/scrap/transfer out negative), so a stock value at a date
    is the sum of the rows up to it. Returns (dispensed cost, average stock value) in yuan."""
    opening = closing = dispensed = Decimal("0")
    for m in moves:
        if ids is not None and m["institution_id"] not in ids:
            continue
        if m["on"] < start:
            opening += m["value"]
        if m["on"] <= end:
            closing += m["value"]
            if m["on"] >= start and m["kind"] == "dispense":
                dispensed -= m["value"]
    cent = Decimal("0.01")
    return dispensed.quantize(cent), ((opening + closing) / 2).quantize(cent)
