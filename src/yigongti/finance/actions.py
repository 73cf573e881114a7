"""Every change in 医保基金与绩效: one function per state change, each checking the actor's role, in a
transaction, with an audit entry.

    by = set_budget_year(office, year=2026, gross_fund=Decimal("100000000"))   # insured from the denominators
    save_settlement(office, month=d, scheme="resident", care="inpatient", in_county=True, provider_code="…", …)
    settle_year(office, by)                                  # surplus/deficit, split by tier and member
    fund = save_public_health_fund(office, name=…, start=…, end=…, total=…); allocate_public_health(office, fund)
    sheet = compute_point_sheet(admin, institution=centre, month=d)   # from what the platform recorded
    review_point_sheet(head, sheet); approve_point_sheet(admin, sheet)
    e = record_expense(admin, institution=centre, amount=Decimal("12000"), …)   # ≥ threshold: pending
    decide_expense(office, e, approve=True, note="…")

The consortium finance director (seed 003: 医共体财务总监) has no role of its own in org.Role yet: the
consortium office (医共体办公室, 全院统筹) holds that power here (FINANCE_ROLES).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, has_role
from yigongti.org.models import AreaLevel, AreaYearFigures, Institution, Role
from yigongti.rules import budget as rules
from yigongti.rules import workpoints as wp
from yigongti.tasks.actions import create_task

from . import conf
from .models import (
    BudgetStatus,
    BudgetYear,
    Care,
    Expense,
    ExpenseStatus,
    PointLine,
    PointSheet,
    PointValue,
    PublicHealthFund,
    Scheme,
    Settlement,
    SheetStatus,
)

# The consortium finance director decides; the consortium office may act for them (seed 001: 全院统筹).
FINANCE_ROLES = frozenset({Role.FINANCE_DIRECTOR, Role.CONSORTIUM_OFFICE})
EXPENSE_ROLES = frozenset({Role.INSTITUTION_ADMIN})
REVIEW_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.DEPARTMENT_HEAD, Role.TEAM_LEADER})
APPROVE_ROLES = frozenset({Role.INSTITUTION_ADMIN})

RULE_MESSAGES = {
    rules.BAD_BASE: _("扣除基数应为 总额、剩余额、按参保人数 或 固定金额。"),
    rules.BAD_RATE: _("扣除比例应在 0 到 1 之间，金额不能为负。"),
    rules.BAD_SCHEDULE: _("拨付方式应为 按月、按季度 或 按年。"),
    rules.BAD_TIER_SHARES: _("分配比例应为 县级、乡级、村级 的非负数，且不能全为 0。"),
    rules.BAD_WITHIN: _("层级内分配方式应为 按服务量、按医保支出 或 平均。"),
    rules.BAD_OVERSPEND: _("超支由基金分担的比例应在 0 到 1 之间。"),
    rules.DEDUCTIONS_EXCEED_FUND: _("各项扣除之和超过基金总额。"),
}


def _audit(user, *, step: str, subject, before, after, institution_id=None):
    """The audit entry of a finance step: action create/update (audit.Action), the step in ``reason``
    (e.g. "finance.expense.approve")."""
    return record_change(user, action="create" if before is None else "update", subject=subject, before=before,
                         after=after, institution_id=institution_id, reason=step)


def require_finance(user) -> None:
    if not has_role(user, *FINANCE_ROLES):
        raise PermissionDenied("finance role required")


def money(value, field: str, *, positive: bool = False, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("请填写金额（元），如 12000.50")]}) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("请填写金额（元），如 12000.50")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("金额最多两位小数（分）")]})
    if amount < 0 or (positive and amount == 0) or (not allow_zero and amount == 0):
        raise ValidationError({field: [_("金额须大于 0") if positive else _("金额不能为负")]})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: [_("金额过大")]})
    return amount.quantize(Decimal("0.01"))


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


# --- the budget year ---------------------------------------------------------------------------------------

def insured_from_denominators(year: int) -> int:
    """The insured population of the year (职工 + 城乡居民) from org.AreaYearFigures: the county rows where
    they exist, else the sum of the lower areas' rows."""
    rows = AreaYearFigures.objects.filter(year=year)
    county = rows.filter(area__level=AreaLevel.COUNTY)
    source = county if county.exists() else rows
    totals = source.aggregate(e=Sum("insured_employee"), r=Sum("insured_resident"))
    return (totals["e"] or 0) + (totals["r"] or 0)


def check_rule_data(data) -> rules.BudgetRule:
    try:
        rule = rules.rule_from_data(data)
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
        raise ValidationError({"rule": [_("总额付费规则格式不正确。")]}) from None
    problems = rules.check_rule(rule)
    if problems:
        raise ValidationError({"rule": [RULE_MESSAGES[p] for p in dict.fromkeys(problems)]})
    return rule


def set_budget_year(user, *, year: int, gross_fund, insured: int | None = None, rule: dict | None = None
                    ) -> BudgetYear:
    """Create or update the year's fund. ``insured`` defaults to the denominators; ``rule`` to the county's
    setting (finance.conf BUDGET_RULE). A settled year cannot change."""
    require_finance(user)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("请填写年度，如 2026")]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("请填写年度，如 2026")]})
    gross = money(gross_fund, "gross_fund", positive=True)
    if insured is None:
        insured = insured_from_denominators(year)
    try:
        insured = int(insured)
    except (TypeError, ValueError):
        raise ValidationError({"insured": [_("参保人数应为整数")]}) from None
    if insured < 0:
        raise ValidationError({"insured": [_("参保人数不能为负")]})
    rule_data = rule if rule is not None else conf.get("BUDGET_RULE")
    parsed = check_rule_data(rule_data)
    try:
        rules.compute_fund(gross, insured, parsed)
    except ValueError:
        raise ValidationError({"gross_fund": [RULE_MESSAGES[rules.DEDUCTIONS_EXCEED_FUND]]}) from None
    with transaction.atomic():
        existing = BudgetYear.objects.select_for_update().filter(year=year).first()
        if existing and existing.status == BudgetStatus.SETTLED:
            raise ValidationError({"year": [_("该年度已年终清算，不能修改。")]})
        before = _budget_snapshot(existing) if existing else None
        by = existing or BudgetYear(year=year, created_by=user)
        by.gross_fund, by.insured, by.rule = gross, insured, rules.rule_to_data(parsed)
        by.save()
        _audit(user, step="finance.budget_year.save", subject=by, before=before, after=_budget_snapshot(by))
    return by


def _budget_snapshot(by: BudgetYear) -> dict:
    return {"year": by.year, "gross_fund": str(by.gross_fund), "insured": by.insured, "rule": by.rule,
            "status": by.status}


def budget_rule(by: BudgetYear) -> rules.BudgetRule:
    return rules.rule_from_data(by.rule)


def settle_year(user, by: BudgetYear, *, on: dt.date | None = None) -> BudgetYear:
    """Year-end settlement (年终清算): the year's in-county spend by consortium members from the settlements
    against the amount paid; surplus or deficit split by tier (004: 6:3:1) and within a tier by the rule."""
    from . import queries

    require_finance(user)
    on = on or timezone.localdate()
    if on < dt.date(by.year, 12, 31):
        raise ValidationError({"year": [_("年度结束后才能年终清算。")]})
    with transaction.atomic():
        by = BudgetYear.objects.select_for_update().get(pk=by.pk)
        if by.status == BudgetStatus.SETTLED:
            raise ValidationError({"year": [_("该年度已年终清算。")]})
        result = queries.year_end_result(by)
        claimed = BudgetYear.objects.filter(pk=by.pk, status=BudgetStatus.OPEN).update(
            status=BudgetStatus.SETTLED, spent=result["spent"], settlement=queries.jsonable(result),
            settled_at=timezone.now(), settled_by=user)
        if claimed != 1:
            raise ValidationError({"year": [_("该年度已年终清算。")]})
        by.refresh_from_db()
        _audit(user, step="finance.budget_year.settle", subject=by, before={"status": "open"},
                      after={"status": "settled", "spent": str(by.spent), "balance": str(result["balance"])})
    return by


# --- settlements ----------------------------------------------------------------------------------------------

SETTLEMENT_FIELDS = ("in_county", "institution_id", "provider_name", "cases", "persons", "total_cost", "fund_paid")


def member_codes() -> dict[str, int]:
    """{insurance code or institution code: institution id} of the consortium's institutions (insurance code
    first)."""
    codes = {code: pk for pk, code in Institution.objects.values_list("pk", "code")}
    codes.update({code: pk for pk, code in Institution.objects.exclude(insurance_code="").values_list(
        "pk", "insurance_code")})
    return codes


def save_settlement(user, *, month: dt.date, scheme: str, care: str, in_county: bool, provider_code: str,
                    provider_name: str = "", cases: int = 0, persons: int = 0, total_cost=0, fund_paid=0,
                    members: dict[str, int] | None = None) -> str:
    """Create or update one settlement line (month × scheme × care × provider). Returns "created", "updated"
    or "unchanged". The provider is matched to a consortium institution by its insurance code or code."""
    require_finance(user)
    errors: dict[str, list] = {}
    if scheme not in Scheme.values:
        errors["scheme"] = [_("险种应为 职工 或 居民。")]
    if care not in Care.values:
        errors["care"] = [_("类别应为 住院、门诊 或 药店。")]
    provider_code = (provider_code or "").strip()[:32]
    if not provider_code:
        errors["provider_code"] = [_("请填写定点机构编码。")]
    for name, value in (("cases", cases), ("persons", persons)):
        if not isinstance(value, int) or value < 0:
            errors[name] = [_("应为非负整数")]
    if errors:
        raise ValidationError(errors)
    total_cost = money(total_cost, "total_cost")
    fund_paid = money(fund_paid, "fund_paid")
    if fund_paid > total_cost:
        raise ValidationError({"fund_paid": [_("基金支付不能大于医疗总费用。")]})
    institution_id = None
    if in_county:
        institution_id = (members if members is not None else member_codes()).get(provider_code)
    if institution_id and not provider_name:
        provider_name = Institution.objects.filter(pk=institution_id).values_list("name", flat=True).first() or ""
    month = first_of_month(month)
    values = {"in_county": bool(in_county), "institution_id": institution_id,
              "provider_name": (provider_name or "")[:100],
              "cases": cases, "persons": persons, "total_cost": total_cost, "fund_paid": fund_paid}
    with transaction.atomic():
        line = Settlement.objects.select_for_update().filter(month=month, scheme=scheme, care=care,
                                                             provider_code=provider_code).first()
        if line is None:
            line = Settlement(month=month, scheme=scheme, care=care, provider_code=provider_code, imported_by=user,
                              **values)
            try:
                with transaction.atomic():
                    line.save()
            except IntegrityError:
                raise ValidationError({"provider_code": [_("该月份、险种、类别的结算行已存在。")]}) from None
            _audit(user, step="finance.settlement.create", subject=line, before=None,
                          after=_settlement_snapshot(line))
            return "created"
        before = _settlement_snapshot(line)
        if all(getattr(line, k) == v for k, v in values.items()):
            return "unchanged"
        for k, v in values.items():
            setattr(line, k, v)
        line.imported_by = user
        line.save()
        _audit(user, step="finance.settlement.update", subject=line, before=before,
                      after=_settlement_snapshot(line))
        return "updated"


def _settlement_snapshot(s: Settlement) -> dict:
    return {"month": s.month.isoformat(), "scheme": s.scheme, "care": s.care, "in_county": s.in_county,
            "provider_code": s.provider_code, "institution": s.institution_id, "cases": s.cases,
            "persons": s.persons, "total_cost": str(s.total_cost), "fund_paid": str(s.fund_paid)}


# --- public-health funds --------------------------------------------------------------------------------------

def save_public_health_fund(user, *, name: str, start: dt.date, end: dt.date, total, split: list | None = None
                            ) -> PublicHealthFund:
    require_finance(user)
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写名称")]
    if not start or not end or end < start:
        errors["end"] = [_("结束日期不能早于开始日期")]
    if errors:
        raise ValidationError(errors)
    total = money(total, "total", positive=True)
    split = split if split is not None else conf.get("PUBLIC_HEALTH_SPLIT")
    try:
        parts = rules.parts_from_data(split)
        rules.split_fund(total, parts)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        raise ValidationError({"split": [_("分配比例格式不正确。")]}) from None
    with transaction.atomic():
        fund = PublicHealthFund.objects.create(name=name.strip()[:60], start=start, end=end, total=total,
                                               split=rules.parts_to_data(parts), created_by=user)
        _audit(user, step="finance.public_health_fund.create", subject=fund, before=None,
                      after={"name": fund.name, "total": str(total), "start": start.isoformat(),
                             "end": end.isoformat(), "split": fund.split})
    return fund


def allocate_public_health(user, fund: PublicHealthFund) -> PublicHealthFund:
    """Split the fund by its shares and allocate the village part to village clinics and community stations
    by the services delivered in the period to the residents of the areas each serves (people.services)."""
    from . import queries

    require_finance(user)
    with transaction.atomic():
        fund = PublicHealthFund.objects.select_for_update().get(pk=fund.pk)
        before = fund.allocation or None
        fund.allocation = queries.jsonable(queries.public_health_allocation(fund))
        fund.allocated_at = timezone.now()
        fund.save(update_fields=["allocation", "allocated_at"])
        _audit(user, step="finance.public_health_fund.allocate", subject=fund, before=before,
                      after=fund.allocation)
    return fund


# --- work points ----------------------------------------------------------------------------------------------

def set_point_value(user, *, kind: str, value) -> PointValue:
    require_finance(user)
    if kind not in wp.KINDS:
        raise ValidationError({"kind": [_("未知的服务项目")]})
    value = money(value, "value")
    with transaction.atomic():
        pv = PointValue.objects.select_for_update().filter(kind=kind).first()
        before = {"value": str(pv.value)} if pv else None
        pv, _created = PointValue.objects.update_or_create(kind=kind, defaults={"value": value})
        _audit(user, step="finance.point_value.save", subject=pv, before=before, after={"value": str(value)})
    return pv


def may_act_on_sheet(user, institution: Institution | int, roles) -> bool:
    """The institution itself, or the township centre that runs it (乡村一体化: a village clinic's points are
    reviewed and approved by its centre)."""
    inst = institution if isinstance(institution, Institution) else Institution.objects.get(pk=institution)
    return can_act_for(user, inst.pk, roles) or (inst.parent_id is not None and can_act_for(user, inst.parent_id,
                                                                                             roles))


def compute_point_sheet(user, *, institution: Institution, month: dt.date) -> PointSheet:
    """(Re)compute an institution's sheet for a month from what the platform recorded; only a sheet not yet
    reviewed may be recomputed (reviewers' adjustments are kept)."""
    from . import workpoints

    if not may_act_on_sheet(user, institution, REVIEW_ROLES):
        raise PermissionDenied("not a reviewer of that institution")
    month = first_of_month(month)
    if month > first_of_month(timezone.localdate()):
        raise ValidationError({"month": [_("不能计算未来月份的工分。")]})
    with transaction.atomic():
        sheet, _created = PointSheet.objects.get_or_create(institution=institution, month=month)
        sheet = PointSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.status != SheetStatus.DRAFT:
            raise ValidationError({"status": [_("工分表已审核，不能重新计算。")]})
        rows = workpoints.compute(institution.pk, month)
        kept = {line.user_id: line for line in sheet.lines.all()}
        seen = set()
        for user_id, month_row in rows.items():
            line = kept.get(user_id) or PointLine(sheet=sheet, user_id=user_id)
            line.counts, line.rates = month_row["counts"], month_row["rates"]
            line.base, line.factor = month_row["base"], month_row["factor"]
            line.total = wp.q(month_row["total"] + line.adjustment)
            line.save()
            seen.add(user_id)
        sheet.lines.exclude(user_id__in=seen).filter(adjustment=0).delete()
        sheet.computed_at = timezone.now()
        sheet.save(update_fields=["computed_at"])
        _audit(user, step="finance.point_sheet.compute", subject=sheet, before=None,
                      after={"institution": institution.pk, "month": month.isoformat(), "lines": len(seen)},
                      institution_id=institution.pk)
    return sheet


def adjust_point_line(user, line: PointLine, *, adjustment, note: str) -> PointLine:
    sheet = line.sheet
    if not may_act_on_sheet(user, sheet.institution_id, REVIEW_ROLES):
        raise PermissionDenied("not a reviewer of that institution")
    try:
        adjustment = wp.q(Decimal(str(adjustment)))
    except (InvalidOperation, ValueError):
        raise ValidationError({"adjustment": [_("请填写数字")]}) from None
    if adjustment and not (note or "").strip():
        raise ValidationError({"adjustment_note": [_("调整工分须说明理由")]})
    with transaction.atomic():
        sheet = PointSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.status != SheetStatus.DRAFT:
            raise ValidationError({"status": [_("工分表已审核，不能调整。")]})
        line = PointLine.objects.get(pk=line.pk)
        before = {"adjustment": str(line.adjustment), "total": str(line.total)}
        line.total = wp.q(line.base * line.factor + adjustment)
        line.adjustment, line.adjustment_note = adjustment, (note or "").strip()[:200]
        line.save()
        _audit(user, step="finance.point_line.adjust", subject=line, before=before,
                      after={"adjustment": str(adjustment), "total": str(line.total), "note": line.adjustment_note},
                      institution_id=sheet.institution_id)
    return line


def _transition(user, sheet: PointSheet, *, roles, frm: str, to: str, stamp: str, action: str) -> PointSheet:
    if not may_act_on_sheet(user, sheet.institution_id, roles):
        raise PermissionDenied("may not act for that institution")
    with transaction.atomic():
        sheet = PointSheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.status != frm:
            raise ValidationError({"status": [_("工分表状态已变化，请刷新。")]})
        if to == SheetStatus.APPROVED and sheet.reviewed_by_id == user.pk:
            raise ValidationError({"status": [_("审核人与批准人不能是同一人。")]})
        claimed = PointSheet.objects.filter(pk=sheet.pk, status=frm).update(
            status=to, **{f"{stamp}_by": user, f"{stamp}_at": timezone.now()})
        if claimed != 1:  # SQLite ignores select_for_update: the conditional UPDATE decides
            raise ValidationError({"status": [_("工分表状态已变化，请刷新。")]})
        sheet.refresh_from_db()
        _audit(user, step=action, subject=sheet, before={"status": frm}, after={"status": to},
                      institution_id=sheet.institution_id)
    return sheet


def review_point_sheet(user, sheet: PointSheet) -> PointSheet:
    return _transition(user, sheet, roles=REVIEW_ROLES, frm=SheetStatus.DRAFT, to=SheetStatus.REVIEWED,
                       stamp="reviewed", action="finance.point_sheet.review")


def approve_point_sheet(user, sheet: PointSheet) -> PointSheet:
    return _transition(user, sheet, roles=APPROVE_ROLES, frm=SheetStatus.REVIEWED, to=SheetStatus.APPROVED,
                       stamp="approved", action="finance.point_sheet.approve")


def reopen_point_sheet(user, sheet: PointSheet) -> PointSheet:
    """A reviewed (not approved) sheet back to draft, for corrections."""
    return _transition(user, sheet, roles=APPROVE_ROLES, frm=SheetStatus.REVIEWED, to=SheetStatus.DRAFT,
                       stamp="reviewed", action="finance.point_sheet.reopen")


# --- expenses -------------------------------------------------------------------------------------------------

def record_expense(user, *, institution: Institution, spent_on: dt.date, category: str, description: str,
                   amount) -> Expense:
    """An institution records an expense; at or above the threshold (seed 003: 10,000 yuan) it waits for the
    consortium finance director's approval (a to-do for the consortium office)."""
    if not can_act_for(user, institution.pk, EXPENSE_ROLES):
        raise PermissionDenied("not an administrator of that institution")
    errors: dict[str, list] = {}
    if not (category or "").strip():
        errors["category"] = [_("请填写类别")]
    if not (description or "").strip():
        errors["description"] = [_("请填写事由")]
    if not spent_on:
        errors["spent_on"] = [_("请填写支出日期")]
    elif spent_on > timezone.localdate() + dt.timedelta(days=366):
        errors["spent_on"] = [_("支出日期不合理")]
    if errors:
        raise ValidationError(errors)
    amount = money(amount, "amount", positive=True)
    status = ExpenseStatus.PENDING if amount >= conf.expense_threshold() else ExpenseStatus.RECORDED
    with transaction.atomic():
        e = Expense.objects.create(institution=institution, spent_on=spent_on, category=category.strip()[:40],
                                   description=description.strip()[:200], amount=amount, status=status,
                                   created_by=user)
        _audit(user, step="finance.expense.record", subject=e, before=None,
                      after={"amount": str(amount), "category": e.category, "description": e.description,
                             "status": status}, institution_id=institution.pk)
        if status == ExpenseStatus.PENDING:
            for office, role in _finance_desks():
                create_task(title=str(_("支出待审批：%(inst)s %(amount)s 元") % {"inst": institution.name,
                                                                             "amount": amount}),
                            kind="finance.expense", role=role, institution=office, source=e,
                            source_url=f"/finance/expenses/{e.pk}/", created_by=user)
    return e


def _finance_desks() -> list[tuple[Institution, str]]:
    """Where an expense waiting for approval goes: the finance director's institution(s) (role finance
    director); where the consortium has none, the consortium office's."""
    from yigongti.org.models import StaffRole

    for role in (Role.FINANCE_DIRECTOR, Role.CONSORTIUM_OFFICE):
        ids = set(StaffRole.objects.filter(role=role).values_list("membership__institution_id", flat=True))
        if ids:
            return [(i, role) for i in Institution.objects.filter(pk__in=ids).order_by("pk")]
    return []


def decide_expense(user, expense: Expense, *, approve: bool, note: str = "") -> Expense:
    """The consortium finance director approves or rejects a pending expense (never their own)."""
    require_finance(user)
    if not approve and not (note or "").strip():
        raise ValidationError({"decision_note": [_("驳回须填写理由")]})
    with transaction.atomic():
        e = Expense.objects.select_for_update().get(pk=expense.pk)
        if e.status != ExpenseStatus.PENDING:
            raise ValidationError({"status": [_("该支出不在待审批状态。")]})
        if e.created_by_id == user.pk:
            raise ValidationError({"status": [_("不能审批本人登记的支出。")]})
        new_status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
        note = (note or "").strip()[:200]
        # claimed with a conditional UPDATE (SQLite ignores select_for_update): one decision only
        claimed = Expense.objects.filter(pk=e.pk, status=ExpenseStatus.PENDING).update(
            status=new_status, decided_by=user, decided_at=timezone.now(), decision_note=note)
        if claimed != 1:
            raise ValidationError({"status": [_("该支出不在待审批状态。")]})
        e.refresh_from_db()
        _audit(user, step="finance.expense.approve" if approve else "finance.expense.reject", subject=e,
                      before={"status": ExpenseStatus.PENDING}, after={"status": e.status, "note": e.decision_note},
                      institution_id=e.institution_id)
        _close_tasks(e, user)
    return e


def _close_tasks(e: Expense, user) -> None:
    from yigongti.tasks.models import Task, TaskState

    Task.objects.filter(source_type=Expense._meta.label, source_id=str(e.pk), state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=user, completed_at=timezone.now())
