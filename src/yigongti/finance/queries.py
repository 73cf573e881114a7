"""Reads of 医保基金与绩效. Money figures are aggregates without personal data: who may see them is decided
by role (``may_see_budget``: the consortium office and the health bureau see the county; an institution's
administrator sees their own institution's sheets and expenses).

Reading of the settlements [U, documented in docs/finance.md]: the consortium's spend against the global budget
is the fund paid at consortium member institutions (in-county lines matched to an institution); in-county
lines of other providers (private institutions, pharmacies) and out-of-county lines are shown beside it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone

from yigongti.org.access import has_role, institution_ids, roles_by_institution
from yigongti.org.models import Institution, InstitutionKind, Role, Tier
from yigongti.rules import budget as rules
from yigongti.rules.referral import grade_level, on_catalog

from .models import BudgetYear, Care, Expense, ExpenseStatus, PointSheet, PublicHealthFund, Settlement

ZERO = Decimal("0.00")
OVERSIGHT = (Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU, Role.FINANCE_DIRECTOR)
VILLAGE_KINDS = (InstitutionKind.VILLAGE_CLINIC, InstitutionKind.COMMUNITY_STATION)


def may_see_budget(user) -> bool:
    return has_role(user, *OVERSIGHT)


def jsonable(value):
    """Decimals and dates as strings, for JSONField snapshots."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def year_settlements(year: int):
    return Settlement.objects.filter(month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))


def _q(value) -> Decimal:
    """A database sum as yuan to the fen (SQLite returns Decimal('700') for 700.00)."""
    return rules.yuan(value or 0)


def _sum(qs, field="fund_paid") -> Decimal:
    return _q(qs.aggregate(s=Sum(field))["s"])


def spend_summary(year: int, through: dt.date | None = None) -> dict:
    """In-county vs out-of-county fund spend, by tier and institution, and by month (all schemes, all care)."""
    qs = year_settlements(year)
    if through:
        qs = qs.filter(month__lte=through.replace(day=1))
    members = qs.filter(institution__isnull=False)
    in_county = qs.filter(in_county=True)
    out_county = qs.filter(in_county=False)
    by_tier = {t: ZERO for t in rules.TIERS}
    for tier, s in members.values("institution__tier").annotate(s=Sum("fund_paid")).values_list(
            "institution__tier", "s"):
        by_tier[tier] = _q(s)
    by_institution = [
        {"institution_id": r["institution_id"], "name": r["institution__name"], "tier": r["institution__tier"],
         "fund_paid": _q(r["s"]), "cases": r["c"] or 0}
        for r in members.values("institution_id", "institution__name", "institution__tier")
        .annotate(s=Sum("fund_paid"), c=Sum("cases")).order_by("-s")
    ]
    monthly = defaultdict(lambda: {"in_county": ZERO, "out_county": ZERO, "members": ZERO})
    for month, inside, s in qs.values("month", "in_county").annotate(s=Sum("fund_paid")).values_list(
            "month", "in_county", "s"):
        monthly[month]["in_county" if inside else "out_county"] += _q(s)
    for month, s in members.values("month").annotate(s=Sum("fund_paid")).values_list("month", "s"):
        monthly[month]["members"] += _q(s)
    total = _sum(qs)
    in_total = _sum(in_county)
    return {
        "total": total, "in_county": in_total, "out_county": _sum(out_county), "members": _sum(members),
        "other_in_county": in_total - _sum(members),
        "in_county_share": (in_total / total * 100).quantize(Decimal("0.1")) if total else None,
        "by_tier": by_tier, "by_institution": by_institution,
        "monthly": [{"month": m, **v} for m, v in sorted(monthly.items())],
        "latest_month": max(monthly) if monthly else None,
    }


def overview(by: BudgetYear, on: dt.date | None = None) -> dict:
    """Everything the budget-year page shows."""
    on = on or timezone.localdate()
    rule = rules.rule_from_data(by.rule)
    fund = rules.compute_fund(by.gross_fund, by.insured, rule)
    schedule = rules.payment_schedule(fund.paid, by.year, rule.schedule)
    spend = spend_summary(by.year)
    latest = spend["latest_month"]
    through = (latest + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1) if latest else None
    forecast = rules.forecast_year_spend(spend["members"], by.year, through) if through else None
    # burn-down: what remains of the amount paid after each month's member spend
    remaining, burn = fund.paid, []
    for row in spend["monthly"]:
        remaining -= row["members"]
        burn.append({"month": row["month"], "remaining": remaining})
    out_reserve = dict(fund.deductions).get("out_of_county")
    return {
        "year": by, "rule": rule, "fund": fund, "schedule": schedule, "due_now": rules.due_by(schedule, on),
        "spend": spend, "forecast": forecast, "burn": burn,
        "forecast_balance": (fund.paid - forecast) if forecast is not None else None,
        "out_county_reserve": out_reserve,
        "out_county_left": (out_reserve - spend["out_county"]) if out_reserve is not None else None,
    }


def member_weights(year: int, tier: str, within: str) -> dict[int, Decimal]:
    """Each active member of a tier with its weight for the within-tier split: its settlement cases
    (services) or fund spend in the year; equal weights for WITHIN_EQUAL."""
    ids = list(Institution.objects.filter(tier=tier, active=True).order_by("code").values_list("pk", flat=True))
    weights = {pk: Decimal(0) for pk in ids}
    if within == rules.WITHIN_EQUAL:
        return {pk: Decimal(1) for pk in ids}
    field = "fund_paid" if within == rules.WITHIN_SPEND else "cases"
    for pk, s in (year_settlements(year).filter(institution_id__in=ids).values("institution_id")
                  .annotate(s=Sum(field)).values_list("institution_id", "s")):
        weights[pk] = Decimal(s or 0)
    return weights


def year_end_result(by: BudgetYear) -> dict:
    rule = rules.rule_from_data(by.rule)
    fund = rules.compute_fund(by.gross_fund, by.insured, rule)
    spent = spend_summary(by.year)["members"]
    result = rules.year_end(fund.paid, spent, rule)
    from . import conf

    names = dict(Institution.objects.values_list("pk", "name"))
    # each member's share of a surplus further split by the county's institution rule (seed 001 Sangzhi:
    # 70 % performance pay, 30 % development fund)
    surplus_parts = rules.parts_from_data(conf.get("INSTITUTION_SURPLUS_SPLIT"))
    members = []
    for tier, amount in result.by_tier.items():
        weights = member_weights(by.year, tier, rule.within_tier)
        for pk, part in rules.split_within(amount, weights, rule.within_tier).items():
            uses = rules.split_fund(part, surplus_parts) if result.code == rules.SURPLUS else {}
            members.append({"institution_id": pk, "name": names.get(pk, ""), "tier": tier,
                            "weight": weights[pk], "amount": part, "uses": uses})
    return {"code": result.code, "paid": fund.paid, "spent": spent, "balance": result.balance,
            "fund_bears": result.fund_bears, "consortium_amount": result.consortium_amount,
            "by_tier": result.by_tier, "members": members}


# --- penalties (seed 004) -------------------------------------------------------------------------------------

def penalties(year: int) -> dict:
    """Inpatient stays (discharged in the year) at a hospital whose grade is above a first-diagnosis catalog
    on which the stay's main diagnosis stands: charged the stay's cost minus the average cost of the same
    catalog disease at that lower grade in the year (seed 004). The nearest lower catalog counts. Listed per
    case (no personal data) and summed per institution."""
    CatalogEntry = apps.get_model("referrals", "CatalogEntry")
    Encounter = apps.get_model("people", "Encounter")
    catalogs: dict[str, list[str]] = defaultdict(list)
    for level, code in CatalogEntry.objects.filter(kind="first_diagnosis", active=True).values_list(
            "grade_level", "code"):
        if level:
            catalogs[level].append(code)
    if not catalogs:
        return {"cases": [], "by_institution": [], "total": ZERO}
    inst = {i.pk: i for i in Institution.objects.all()}
    level_of = {pk: grade_level(i.grade, i.tier) for pk, i in inst.items()}
    stays = list(Encounter.objects.filter(kind="inpatient", discharge_date__year=year)
                 .values("id", "institution_id", "primary_diagnosis", "total_cost", "discharge_date"))
    # averages per (level, catalog entry) from stays at institutions of that level
    sums: dict[tuple[str, str], list] = defaultdict(lambda: [ZERO, 0])
    for s in stays:
        level = level_of[s["institution_id"]]
        entry = on_catalog(s["primary_diagnosis"], catalogs.get(level, []))
        if entry:
            acc = sums[(level, entry)]
            acc[0] += s["total_cost"]
            acc[1] += 1
    averages = {k: (v[0] / v[1]) for k, v in sums.items() if v[1]}
    cases, per_inst = [], defaultdict(lambda: [ZERO, 0])
    for s in stays:
        level = level_of[s["institution_id"]]
        for lower in sorted((lv for lv in catalogs if lv < level), reverse=True):
            entry = on_catalog(s["primary_diagnosis"], catalogs[lower])
            if not entry:
                continue
            avg = averages.get((lower, entry))
            amount = rules.penalty(s["total_cost"], avg) if avg is not None else None
            cases.append({"encounter_id": s["id"], "institution_id": s["institution_id"],
                          "institution": inst[s["institution_id"]].name, "diagnosis": s["primary_diagnosis"],
                          "catalog_level": lower, "entry": entry, "discharge_date": s["discharge_date"],
                          "cost": s["total_cost"], "reference": rules.yuan(avg) if avg is not None else None,
                          "penalty": amount})
            if amount:
                per_inst[s["institution_id"]][0] += amount
                per_inst[s["institution_id"]][1] += 1
            break
    by_institution = sorted(({"institution_id": pk, "institution": inst[pk].name, "amount": v[0], "cases": v[1]}
                             for pk, v in per_inst.items()), key=lambda r: -r["amount"])
    return {"cases": cases, "by_institution": by_institution, "total": sum((r["amount"] for r in by_institution), ZERO)}


# --- public-health funds and contract fees --------------------------------------------------------------------

def village_services(start: dt.date, end: dt.date) -> dict[int, int]:
    """{village clinic / community station id: services delivered in the period to residents of the areas it
    serves} from people.services.delivered (the one source of delivered services). An area served by two
    clinics counts for both (each gets the services of its area)."""
    from yigongti.people import services
    from yigongti.people.models import Resident

    from . import conf

    kinds = conf.get("SERVICE_SOURCE_KINDS")
    clinics = Institution.objects.filter(kind__in=VILLAGE_KINDS, active=True).order_by("code")
    area_clinics: dict[int, list[int]] = defaultdict(list)
    for clinic_id, area_id in clinics.values_list("pk", "service_areas"):
        if area_id:
            area_clinics[area_id].append(clinic_id)
    result = {pk: 0 for pk in clinics.values_list("pk", flat=True)}
    residents = Resident.objects.filter(area_id__in=list(area_clinics))
    area_of = dict(residents.values_list("pk", "area_id"))
    for resident_id, counter in services.delivered(residents.values("pk"), start, end).items():
        n = sum(c for k, c in counter.items() if kinds is None or k in kinds)
        for clinic_id in area_clinics.get(area_of.get(resident_id), []):
            result[clinic_id] += n
    return result


def public_health_allocation(fund: PublicHealthFund) -> dict:
    parts = rules.parts_from_data(fund.split)
    split = rules.split_fund(fund.total, parts)
    village_total = sum((v for k, v in split.items() if k.split(".")[0] == "village"), ZERO)
    services = village_services(fund.start, fund.end)
    names = dict(Institution.objects.filter(pk__in=list(services)).values_list("pk", "name"))
    shares = rules.split_within(village_total, services) if services else {}
    return {"split": split, "village_total": village_total,
            "clinics": [{"institution_id": pk, "name": names.get(pk, ""), "services": services[pk],
                         "amount": shares.get(pk, ZERO)} for pk in services]}


def contract_fees(start: dt.date, end: dt.date, institution_ids_=None) -> list[dict]:
    """Family-doctor contract fees collected (contracts starting in the period), per institution, as the
    family-doctor module split them (insurance / public health / resident) — read, never recomputed."""
    Contract = apps.get_model("familydoctor", "Contract")
    qs = Contract.objects.filter(start_date__range=(start, end))
    if institution_ids_ is not None:
        qs = qs.filter(institution_id__in=institution_ids_)
    return [{"institution_id": r["institution_id"], "name": r["institution__name"], "contracts": r["n"],
             "total": _q(r["t"]), "insurance": _q(r["i"]), "public_health": _q(r["p"]),
             "resident": _q(r["r"])}
            for r in qs.values("institution_id", "institution__name").annotate(
                n=Count("id"), t=Sum("fee_total"), i=Sum("fee_insurance"), p=Sum("fee_public_health"),
                r=Sum("fee_resident")).order_by("institution__name")]


# --- work points and expenses: scoped by institution ----------------------------------------------------------

def finance_institution_ids(user, roles) -> list[int]:
    return [pk for pk, held in roles_by_institution(user).items() if held & set(roles)]


def visible_sheets(user):
    from .actions import REVIEW_ROLES

    if may_see_budget(user):
        return PointSheet.objects.select_related("institution")
    ids = finance_institution_ids(user, REVIEW_ROLES)
    return PointSheet.objects.filter(Q(institution_id__in=ids) | Q(institution__parent_id__in=ids)).select_related(
        "institution")


def visible_expenses(user):
    if may_see_budget(user):
        return Expense.objects.select_related("institution", "created_by", "decided_by")
    return Expense.objects.filter(institution_id__in=institution_ids(user)).select_related(
        "institution", "created_by", "decided_by")


def pending_expenses(user):
    if not has_role(user, Role.CONSORTIUM_OFFICE, Role.FINANCE_DIRECTOR):
        return Expense.objects.none()
    return Expense.objects.filter(status=ExpenseStatus.PENDING).select_related("institution", "created_by")


def member_settlements(year: int, care: str | None = None):
    qs = year_settlements(year)
    return qs.filter(care=care) if care else qs


# --- indicators: the settlement-based national indicators ----------------------------------------------------

def indicator_counts(start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """Numerators and denominators of the four settlement indicators for months overlapping [start, end]."""
    qs = Settlement.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    no_pharmacy = qs.exclude(care=Care.PHARMACY)
    inside = no_pharmacy.filter(in_county=True)
    inpatient = qs.filter(care=Care.INPATIENT)
    agg = lambda q, f: q.aggregate(s=Sum(f))["s"] or 0  # noqa: E731
    return {
        "fund_in_county": Decimal(agg(inside, "fund_paid")),
        "fund_total": Decimal(agg(no_pharmacy, "fund_paid")),
        "fund_primary": Decimal(agg(inside.filter(institution__tier__in=(Tier.TOWNSHIP, Tier.VILLAGE)),
                                    "fund_paid")),
        "stays_in_county": Decimal(agg(inpatient.filter(in_county=True), "cases")),
        "stays_total": Decimal(agg(inpatient, "cases")),
        "cost_in_county": Decimal(agg(inpatient.filter(in_county=True), "total_cost")),
        "persons_in_county": Decimal(agg(inpatient.filter(in_county=True), "persons")),
    }


def primary_filter() -> Q:
    return Q(institution__tier__in=(Tier.TOWNSHIP, Tier.VILLAGE))
