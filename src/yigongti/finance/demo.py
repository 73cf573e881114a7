"""The finance part of the demo county (order 80: after the services that earn work points).

- Budget years 2025 and 2026 with the digest's worked example (gross 100,000,000, 500,000 insured: deductions
  10,000,000 / 12,500,000 / 5,000,000, 72,500,000 paid). [The insured are set to the example's 500,000 rather
  than the demo denominators, so the deductions equal the digest's.]
- Settlements imported through the real import (a generated CSV): 2025 quarterly, the members spending exactly
  70,000,000 — the year is then settled: surplus 2,500,000 split 6 : 3 : 1 (1,500,000 / 750,000 / 250,000) and
  within each tier by services; 2026 monthly to October, with out-of-county care and a private hospital, so the
  budget page shows a live in-county share, a burn-down and a forecast.
- A public-health fund for 2026 Q3 split 40/60 and allocated to the village clinics by services delivered.
- October's work points for every township centre and village clinic (Xiangtang's reviewed and approved).
- Expenses at Xiangtang: one under the threshold, one approved by the consortium office, one waiting.
Deterministic for a seed (ctx.rng("finance")).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yigongti.demo.registry import DemoContext, DemoPart
from yigongti.rules.money import split_by_shares

HEADER = "结算月份,险种,类别,县域内,定点机构编码,定点机构名称,结算人次,结算人数,医疗总费用,基金支付\n"
TIER_SHARE_2025 = {"county": 60, "township": 30, "village": 10}  # of the members' 70,000,000


def _line(month: dt.date, care: str, inside: bool, code: str, name: str, cases: int, fund: Decimal,
          scheme: str = "居民") -> str:
    cost = (fund / Decimal("0.68")).quantize(Decimal("0.01"))
    persons = max(1, int(cases * 0.92))
    care_word = {"inpatient": "住院", "outpatient": "门诊", "pharmacy": "药店"}[care]
    return (f"{month:%Y-%m},{scheme},{care_word},{'是' if inside else '否'},{code},{name},{cases},{persons},"
            f"{cost},{fund}\n")


def _members(Institution):
    return {tier: list(Institution.objects.filter(tier=tier, active=True).order_by("code"))
            for tier in ("county", "township", "village")}


def _settlements_2025(members, rng) -> str:
    months = [dt.date(2025, m, 1) for m in (3, 6, 9, 12)]
    rows = []
    tiers = [t for t in TIER_SHARE_2025 if members[t]]
    for tier, amount in zip(tiers, split_by_shares(Decimal("70000000"), [TIER_SHARE_2025[t] for t in tiers]),
                            strict=True):
        insts = members[tier]
        if not insts:
            continue
        weights = [rng.randint(5, 20) for _ in insts for _m in months]
        parts = split_by_shares(amount, weights)
        i = 0
        for inst in insts:
            for month in months:
                fund = parts[i]
                care = "outpatient" if tier == "village" else "inpatient"
                per_case = {"county": 9000, "township": 2500, "village": 60}[tier]
                rows.append(_line(month, care, True, inst.code, "", max(1, int(fund / per_case)), fund))
                i += 1
    return HEADER + "".join(rows)


def _settlements_2026(members, rng, last_month: int) -> str:
    rows = []
    base = {"county": 4_400_000, "township": 1_300_000, "village": 200_000}
    for m in range(1, last_month + 1):
        month = dt.date(2026, m, 1)
        for tier, insts in members.items():
            if not insts:
                continue
            weights = [rng.randint(5, 20) for _ in insts]
            total = Decimal(base[tier] + rng.randint(-100_000, 100_000))
            per_case = {"county": 9000, "township": 2500, "village": 60}[tier]
            for inst, fund in zip(insts, split_by_shares(total, weights), strict=True):
                if fund:
                    care = "outpatient" if tier == "village" else "inpatient"
                    rows.append(_line(month, care, True, inst.code, "", max(1, int(fund / per_case)), fund))
        rows.append(_line(month, "inpatient", True, "P-DEMO-01", "县康复民营医院", 30 + rng.randint(0, 10),
                          Decimal(180_000 + rng.randint(0, 40_000))))
        rows.append(_line(month, "inpatient", False, "X-DEMO-01", "省人民医院", 60 + rng.randint(0, 20),
                          Decimal(520_000 + rng.randint(0, 120_000))))
        rows.append(_line(month, "pharmacy", True, "D-DEMO-01", "县城大药房", 900, Decimal(90_000)))
    return HEADER + "".join(rows)


def _user(institution, *roles, exclude=None):
    from yigongti.org.models import User

    qs = User.objects.filter(memberships__institution=institution, memberships__roles__role__in=roles,
                             is_active=True).order_by("pk").distinct()
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.first()


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Institution, Role

    from . import actions
    from .importing import import_settlements

    rng = ctx.rng("finance")
    from yigongti.org.models import User

    accounts = {u.username: u for u in User.objects.filter(username__in=("demo-office", "demo-inst-admin"))}
    office = accounts.get("demo-office") or _user(Institution.objects.filter(is_lead=True).first(),
                                                  Role.CONSORTIUM_OFFICE)
    if office is None:
        ctx.log("    finance: no consortium office account, skipped")
        return
    members = _members(Institution)

    # 2025: the worked example, settled
    by_2025 = actions.set_budget_year(office, year=2025, gross_fund="100000000", insured=500_000)
    counts = import_settlements(office, _settlements_2025(members, rng).encode(), "settlements-2025.csv")
    actions.settle_year(office, by_2025, on=dt.date(2026, 1, 15))
    by_2025.refresh_from_db()
    # 2026: the year under way
    last_month = max(1, ctx.today.month - 1) if ctx.today.year == 2026 else 10
    actions.set_budget_year(office, year=2026, gross_fund="100000000", insured=500_000)
    counts_2026 = import_settlements(office, _settlements_2026(members, rng, last_month).encode(),
                                     "settlements-2026.csv")

    # public-health fund 2026 Q3
    fund = actions.save_public_health_fund(office, name="2026年第三季度基本公共卫生服务经费", start=dt.date(2026, 7, 1),
                                           end=dt.date(2026, 9, 30), total="1000000")
    actions.allocate_public_health(office, fund)

    # work points: last month for every township centre and village clinic
    month = (ctx.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    sheets = 0
    xt = accounts.get("demo-inst-admin")
    for centre in Institution.objects.filter(tier="township", active=True).order_by("code"):
        reviewer = _user(centre, Role.INSTITUTION_ADMIN, exclude=xt)
        if reviewer is None:
            continue
        for inst in [centre, *Institution.objects.filter(parent=centre, tier="village", active=True).order_by("code")]:
            sheet = actions.compute_point_sheet(reviewer, institution=inst, month=month)
            sheets += 1
            if xt is not None and actions.may_act_on_sheet(xt, inst, actions.APPROVE_ROLES):
                actions.review_point_sheet(reviewer, sheet)
                actions.approve_point_sheet(xt, sheet)

    # expenses at Xiangtang
    if xt is not None:
        centre = xt.memberships.first().institution
        actions.record_expense(xt, institution=centre, spent_on=ctx.today - dt.timedelta(days=20), category="办公",
                               description="打印耗材", amount="3200")
        approved = actions.record_expense(xt, institution=centre, spent_on=ctx.today - dt.timedelta(days=12),
                                          category="设备", description="心电图机采购", amount="18600")
        actions.decide_expense(office, approved, approve=True, note="同意，按预算执行")
        actions.record_expense(xt, institution=centre, spent_on=ctx.today - dt.timedelta(days=3), category="维修",
                               description="DR设备维修", amount="12500")
    ctx.made["finance"] = {"budget_2025": by_2025.settlement, "sheets": sheets}
    ctx.log(f"    finance: 2025 settled ({by_2025.settlement.get('code')} {by_2025.settlement.get('balance')}), "
            f"{counts.created + counts_2026.created} settlement lines, {sheets} work-point sheets")


PARTS = [DemoPart(name="finance.money", order=80, build=build, bulk=build)]
