"""Pages of 医保基金与绩效: thin — validate, call one action or query, render."""
from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.access import has_role
from yigongti.org.models import Institution
from yigongti.people.import_files import FileProblem
from yigongti.rules import workpoints as wp

from . import actions, queries
from .forms import (
    AdjustForm,
    BudgetYearForm,
    ComputeSheetForm,
    DecisionForm,
    ExpenseForm,
    PublicHealthFundForm,
    UploadForm,
)
from .importing import KIND, import_settlements
from .models import BudgetYear, Care, Expense, ExpenseStatus, PointLine, PublicHealthFund, SheetStatus

DEDUCTION_LABELS = {"risk_reserve": gettext_lazy("风险调剂金"), "critical_illness": gettext_lazy("大病保险"), "out_of_county": gettext_lazy("县外就医预留"),
                    "private_institutions": gettext_lazy("民营医疗机构费用")}
TIER_LABELS = {"county": gettext_lazy("县级"), "township": gettext_lazy("乡级"), "village": gettext_lazy("村级")}
KIND_LABELS = {wp.FOLLOWUP: gettext_lazy("面对面随访"), wp.CONTRACT: gettext_lazy("签约"), wp.EXAM: gettext_lazy("健康体检"), wp.HOME_VISIT: gettext_lazy("入户随访"),
               wp.REFERRAL: gettext_lazy("转诊处理"), wp.READING: gettext_lazy("远程诊断报告"), wp.OUTREACH: gettext_lazy("专家下沉活动")}


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require_budget_reader(request) -> None:
    if not queries.may_see_budget(request.user):
        raise PermissionDenied


def _label(code: str) -> str:
    return str(DEDUCTION_LABELS.get(code, code))


@login_required
def index(request):
    user = request.user
    return render(request, "finance/index.html", {
        "budget": queries.may_see_budget(user),
        "years": BudgetYear.objects.all() if queries.may_see_budget(user) else [],
        "sheets": queries.visible_sheets(user)[:12],
        "expenses": queries.visible_expenses(user)[:12],
        "pending": queries.pending_expenses(user)[:20],
        "may_record": bool(_expense_institutions(user)),
    })


# --- budget years ---------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def budget_years(request):
    _require_budget_reader(request)
    form = BudgetYearForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not has_role(request.user, *actions.FINANCE_ROLES):
            raise PermissionDenied
        if form.is_valid():
            try:
                by = actions.set_budget_year(request.user, year=form.cleaned_data["year"],
                                             gross_fund=form.cleaned_data["gross_fund"],
                                             insured=form.cleaned_data["insured"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存 %(year)s 年度医保总额预算。") % {"year": by.year})
                return redirect("finance:budget_year", year=by.year)
    return render(request, "finance/budget_years.html", {"years": BudgetYear.objects.all(), "form": form,
                                                          "may_edit": has_role(request.user, *actions.FINANCE_ROLES)})


def _burn_chart(view) -> dict:
    months = [row["month"].strftime("%Y-%m") for row in view["spend"]["monthly"]]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("拨付额剩余"), _("成员机构支出"), _("县外支出")]},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "name": _("元")},
        "series": [
            {"name": _("拨付额剩余"), "type": "line", "data": [float(b["remaining"]) for b in view["burn"]]},
            {"name": _("成员机构支出"), "type": "bar", "data": [float(r["members"]) for r in view["spend"]["monthly"]]},
            {"name": _("县外支出"), "type": "bar", "data": [float(r["out_county"]) for r in view["spend"]["monthly"]]},
        ],
    }


def _year_or_404(year: int) -> BudgetYear:
    return get_object_or_404(BudgetYear, year=year)


@login_required
def budget_year(request, year: int):
    _require_budget_reader(request)
    by = _year_or_404(year)
    view = queries.overview(by)
    penalties = queries.penalties(by.year)
    return render(request, "finance/budget_year.html", {
        "by": by, "v": view, "chart": _burn_chart(view),
        "deductions": [(_label(code), amount) for code, amount in view["fund"].deductions],
        "by_tier": [(TIER_LABELS[t], a) for t, a in view["spend"]["by_tier"].items()],
        "penalties": penalties,
        "may_settle": has_role(request.user, *actions.FINANCE_ROLES) and timezone.localdate() >= dt.date(by.year, 12, 31),
        "settlement": _settlement_rows(by) if by.settlement else None,
    })


def _settlement_rows(by: BudgetYear) -> dict:
    s = by.settlement
    return {**s, "by_tier": [(TIER_LABELS.get(t, t), a) for t, a in s["by_tier"].items()],
            "members": [{**m, "tier_label": TIER_LABELS.get(m["tier"], m["tier"])} for m in s["members"]]}


@login_required
@require_POST
def settle(request, year: int):
    _require_budget_reader(request)
    by = _year_or_404(year)
    try:
        actions.settle_year(request.user, by)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已完成年终清算。"))
    return redirect("finance:budget_year", year=year)


@login_required
def statement(request, year: int):
    """The printable year-end statement (清算单)."""
    _require_budget_reader(request)
    by = _year_or_404(year)
    if not by.settlement:
        raise Http404
    view = queries.overview(by)
    return render(request, "finance/statement.html", {
        "by": by, "v": view, "s": _settlement_rows(by),
        "deductions": [(_label(code), amount) for code, amount in view["fund"].deductions]})


@login_required
def penalties(request, year: int):
    _require_budget_reader(request)
    by = _year_or_404(year)
    return render(request, "finance/penalties.html", {"by": by, "p": queries.penalties(by.year)})


# --- settlements ------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def settlements(request):
    _require_budget_reader(request)
    if request.GET.get("template"):
        from yigongti.people.importing import template_workbook

        response = HttpResponse(template_workbook(KIND), content_type="application/vnd.openxmlformats-officedocument"
                                ".spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="settlements-template.xlsx"'
        return response
    form = UploadForm(request.POST or None, request.FILES or None)
    counts = None
    if request.method == "POST":
        if not has_role(request.user, *actions.FINANCE_ROLES):
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = import_settlements(request.user, upload.read(), upload.name)
            except FileProblem as exc:
                form.add_error("file", str(exc.message) if hasattr(exc, "message") else str(exc))
    year = _int(request.GET.get("year"), timezone.localdate().year)
    qs = queries.year_settlements(year).select_related("institution").order_by("-month", "provider_code")[:500]
    return render(request, "finance/settlements.html", {
        "form": form, "counts": counts, "rows": qs, "year": year, "summary": queries.spend_summary(year),
        "may_import": has_role(request.user, *actions.FINANCE_ROLES), "cares": dict(Care.choices)})


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- public-health funds and contract fees ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def public_health(request):
    _require_budget_reader(request)
    form = PublicHealthFundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                fund = actions.save_public_health_fund(request.user, **form.cleaned_data)
                actions.allocate_public_health(request.user, fund)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("finance:public_health_fund", pk=fund.pk)
    year = timezone.localdate().year
    return render(request, "finance/public_health.html", {
        "funds": PublicHealthFund.objects.all(), "form": form,
        "fees": queries.contract_fees(dt.date(year, 1, 1), dt.date(year, 12, 31)), "year": year,
        "may_edit": has_role(request.user, *actions.FINANCE_ROLES)})


@login_required
@require_http_methods(["GET", "POST"])
def public_health_fund(request, pk: int):
    _require_budget_reader(request)
    fund = get_object_or_404(PublicHealthFund, pk=pk)
    if request.method == "POST":
        actions.allocate_public_health(request.user, fund)
        return redirect("finance:public_health_fund", pk=pk)
    return render(request, "finance/public_health_fund.html", {"fund": fund, "a": fund.allocation})


# --- work points ------------------------------------------------------------------------------------------------

def _sheet_institutions(user):
    ids = queries.finance_institution_ids(user, actions.REVIEW_ROLES)
    from django.db.models import Q

    return Institution.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids), active=True).order_by("tier", "code")


@login_required
@require_http_methods(["GET", "POST"])
def sheets(request):
    institutions = _sheet_institutions(request.user)
    if not institutions.exists() and not queries.may_see_budget(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = ComputeSheetForm(request.POST or None, institutions=institutions,
                            initial={"month": today.strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            month = dt.datetime.strptime(form.cleaned_data["month"], "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            form.add_error("month", _("月份格式应为 2026-11"))
        else:
            try:
                sheet = actions.compute_point_sheet(request.user, institution=form.cleaned_data["institution"],
                                                    month=month)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect("finance:sheet", pk=sheet.pk)
    return render(request, "finance/sheets.html", {"sheets": queries.visible_sheets(request.user)[:200],
                                                    "form": form if institutions.exists() else None})


def _sheet_for(user, pk: int):
    return get_object_or_404(queries.visible_sheets(user), pk=pk)


@login_required
def sheet(request, pk: int):
    s = _sheet_for(request.user, pk)
    lines = list(s.lines.select_related("user").order_by("-total", "user__username"))
    if request.GET.get("export") == "xlsx":
        # Staff pay data: the export asks for a purpose, is logged and watermarked (audit.exports, issue 16).
        from yigongti.audit.exports import ExportTicket, export_gate

        ticket = export_gate(request, "finance.WorkPointSheet", len(lines), filters=f"sheet={s.pk}")
        if not isinstance(ticket, ExportTicket):
            return ticket
        return _sheet_xlsx(s, lines, ticket)
    kinds = list(wp.KINDS)
    return render(request, "finance/sheet.html", {
        "sheet": s, "kinds": [(k, KIND_LABELS[k]) for k in kinds],
        "lines": [{"line": ln, "counts": [ln.counts.get(k, 0) for k in kinds]} for ln in lines],
        "may_review": actions.may_act_on_sheet(request.user, s.institution, actions.REVIEW_ROLES),
        "may_approve": actions.may_act_on_sheet(request.user, s.institution, actions.APPROVE_ROLES),
        "adjust_form": AdjustForm(), "draft": s.status == SheetStatus.DRAFT,
        "reviewed": s.status == SheetStatus.REVIEWED})


def _sheet_xlsx(s, lines, ticket) -> HttpResponse:
    from openpyxl import Workbook

    from yigongti.audit.exports import watermark_workbook

    book = Workbook()
    ws = book.active
    ws.title = s.month.strftime("%Y-%m")
    ws.append([_("机构"), _("月份"), _("状态"), _("姓名"), _("工号"),
               *[str(KIND_LABELS[k]) for k in wp.KINDS], _("基础工分"), _("质量系数"), _("审核调整"), _("合计工分")])
    for ln in lines:
        ws.append([s.institution.name, s.month.strftime("%Y-%m"), s.get_status_display(), ln.user.display_name,
                   ln.user.username, *[ln.counts.get(k, 0) for k in wp.KINDS], float(ln.base), float(ln.factor),
                   float(ln.adjustment), float(ln.total)])
    watermark_workbook(book, ticket)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="workpoints-{s.institution.code}-{s.month:%Y%m}.xlsx"'
    return response


def _sheet_action(request, pk: int, fn, done: str):
    s = _sheet_for(request.user, pk)
    try:
        fn(request.user, s)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("finance:sheet", pk=pk)


@login_required
@require_POST
def sheet_review(request, pk: int):
    return _sheet_action(request, pk, actions.review_point_sheet, _("已审核。"))


@login_required
@require_POST
def sheet_approve(request, pk: int):
    return _sheet_action(request, pk, actions.approve_point_sheet, _("已批准。"))


@login_required
@require_POST
def sheet_reopen(request, pk: int):
    return _sheet_action(request, pk, actions.reopen_point_sheet, _("已退回修改。"))


@login_required
@require_POST
def sheet_recompute(request, pk: int):
    s = _sheet_for(request.user, pk)
    return _sheet_action(request, pk, lambda user, sheet: actions.compute_point_sheet(
        user, institution=s.institution, month=s.month), _("已重新计算。"))


@login_required
@require_POST
def line_adjust(request, pk: int, line: int):
    s = _sheet_for(request.user, pk)
    ln = get_object_or_404(PointLine, pk=line, sheet=s)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            actions.adjust_point_line(request.user, ln, adjustment=form.cleaned_data["adjustment"],
                                      note=form.cleaned_data["note"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("请填写数字"))
    return redirect("finance:sheet", pk=pk)


# --- expenses ---------------------------------------------------------------------------------------------------

def _expense_institutions(user):
    ids = queries.finance_institution_ids(user, actions.EXPENSE_ROLES)
    return Institution.objects.filter(pk__in=ids, active=True)


@login_required
@require_http_methods(["GET", "POST"])
def expenses(request):
    institutions = _expense_institutions(request.user)
    form = ExpenseForm(request.POST or None, institutions=institutions,
                       initial={"spent_on": timezone.localdate()}) if institutions.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                e = actions.record_expense(request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已登记，等待医共体财务审批。") if e.status == ExpenseStatus.PENDING
                                 else _("已登记。"))
                return redirect("finance:expense", pk=e.pk)
    return render(request, "finance/expenses.html", {
        "form": form, "rows": queries.visible_expenses(request.user)[:200],
        "pending": queries.pending_expenses(request.user), "threshold": actions.conf.expense_threshold()})


def _expense_for(user, pk: int) -> Expense:
    return get_object_or_404(queries.visible_expenses(user), pk=pk)


@login_required
def expense(request, pk: int):
    e = _expense_for(request.user, pk)
    return render(request, "finance/expense.html", {
        "e": e, "form": DecisionForm(),
        "may_decide": e.status == ExpenseStatus.PENDING and has_role(request.user, *actions.FINANCE_ROLES)})


@login_required
@require_POST
def expense_decide(request, pk: int, decision: str):
    e = _expense_for(request.user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        actions.decide_expense(request.user, e, approve=decision == "approve", note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已批准。") if decision == "approve" else _("已驳回。"))
    return redirect("finance:expense", pk=pk)
