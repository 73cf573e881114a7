"""药械统一 pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.access import has_role
from yigongti.org.models import Role, Tier
from yigongti.people import import_files
from yigongti.people.models import Encounter
from yigongti.people.queries import get_resident_for, visible_encounters

from . import actions, importing, queries
from .forms import (
    CabinetForm,
    DeliveryForm,
    DrugForm,
    ImportForm,
    InvoiceForm,
    MissingForm,
    PlanForm,
    PrescriptionForm,
    ReceiveForm,
    ReplenishmentForm,
    ReviewForm,
)
from .models import Drug, PlanStatus, RequestStatus, RxStatus

PAGE_SIZE = 25


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            if name.startswith("lines."):
                _, i, field = name.split(".", 2)
                name = f"{field}_{i}"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _is_office(user) -> bool:
    return has_role(user, Role.CONSORTIUM_OFFICE)


def _current(request):
    """The institution the page is about: ``?institution=`` among those the user may see, else the first
    one they act for; 404 when they may see none."""
    pk = request.GET.get("institution") or request.POST.get("institution")
    if pk:
        return queries.get_institution_for(request.user, pk)
    inst = queries.acting_institutions(request.user).first()
    if inst is None:
        raise Http404
    return inst


@login_required
def home(request):
    acting = list(queries.acting_institutions(request.user))
    if not acting and not queries.is_oversight(request.user):
        raise PermissionDenied
    inst = _current(request) if acting or request.GET.get("institution") else None
    context = {"institutions": queries.visible_institutions(request.user).order_by("tier", "code")[:200],
               "institution": inst, "is_office": _is_office(request.user)}
    if inst is not None:
        context.update({
            "low": queries.low_stock(request.user, inst),
            "alerts": queries.expiry_alerts(request.user, inst.pk),
            "value": queries.stock_value([inst.pk]),
            "open_requests": queries.replenishments(request.user).filter(
                status=RequestStatus.REQUESTED).filter(supplier=inst).count(),
            "to_review": queries.review_queue(request.user).count(),
            "may_act": inst.pk in {i.pk for i in acting},
        })
    return render(request, "pharmacy/home.html", context)


# --- formulary ---------------------------------------------------------------------------------------------------


@login_required
def drug_list(request):
    q = request.GET.get("q", "").strip()
    tier = request.GET.get("tier", "")
    qs = queries.drugs(q, tier=tier if tier in Tier.values else "", active_only=False).prefetch_related("tiers")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pharmacy/drugs.html", {"page": page, "q": q, "tier": tier, "tiers": Tier.choices,
                                                   "is_office": _is_office(request.user)})


def _drug_initial(d: Drug) -> dict:
    initial = {name: getattr(d, name) for name in actions.DRUG_FIELDS}
    for tier, entry in queries.tier_catalog(d).items():
        initial[f"tier_{tier}"] = entry.may_stock
    for tier in Tier.values:
        initial.setdefault(f"tier_{tier}", False)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def drug_edit(request, pk=None):
    if not _is_office(request.user):
        raise PermissionDenied
    drug = None
    if pk is not None:
        drug = Drug.objects.filter(pk=pk).first()
        if drug is None:
            raise Http404
    form = DrugForm(request.POST or None, initial=_drug_initial(drug) if drug else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tiers = {t: data.pop(f"tier_{t}") for t in Tier.values}
        try:
            saved = actions.save_drug(request.user, drug, drug.version if drug else None, **data)
            for tier, on in tiers.items():
                if on or saved.tiers.filter(tier=tier).exists():
                    actions.set_tier(request.user, saved, tier, may_stock=on, may_prescribe=on)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("pharmacy:drugs")
    return render(request, "pharmacy/drug_form.html", {"form": form, "drug": drug})


@login_required
@require_http_methods(["GET", "POST"])
def drug_import(request):
    if not _is_office(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = importing.import_formulary(request.user, upload.read(), upload.name)
        except import_files.FileProblem as problem:
            form.add_error("file", problem.message)
    return render(request, "pharmacy/import.html", {"form": form, "report": report,
                                                    "columns": importing.COLUMNS})


# --- stock ---------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def stock(request, inst):
    institution = queries.get_institution_for(request.user, inst)
    form = ReceiveForm(request.POST or None)
    form.fields["drug"].queryset = queries.drugs(tier=institution.tier)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.receive_stock(request.user, institution=institution, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已入库。"))
                return redirect("pharmacy:stock", inst=institution.pk)
    qs = queries.batches(request.user, institution.pk)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "pharmacy/stock.html", {
        "institution": institution, "page": page, "form": form, "low": queries.low_stock(request.user, institution),
        "alerts": queries.expiry_alerts(request.user, institution.pk),
        "cost_source": queries.drug_cost_source(institution),
        "may_switch_cost": _is_office(request.user)})


@login_required
@require_POST
def cost_source(request, inst):
    """The office switches an institution's drug cost to dispensing from a date, or back to typing."""
    if not _is_office(request.user):
        raise PermissionDenied
    institution = queries.get_institution_for(request.user, inst)
    try:
        if request.POST.get("switch") == "off":
            actions.switch_drug_cost_to_typed(request.user, institution)
            messages.success(request, _("药品费恢复为手工录入。"))
        else:
            try:
                since = parse_date(request.POST.get("since") or "")
            except ValueError:
                since = None
            actions.switch_drug_cost_to_dispensing(request.user, institution, since)
            messages.success(request, _("自 %(d)s 起药品费由发药自动计入。") % {"d": since})
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("pharmacy:stock", inst=institution.pk)


@login_required
def moves(request, inst):
    institution = queries.get_institution_for(request.user, inst)
    page = Paginator(queries.moves(request.user, institution.pk), 50).get_page(request.GET.get("page"))
    return render(request, "pharmacy/moves.html", {"institution": institution, "page": page})


@login_required
@require_POST
def scrap(request, pk):
    batch = queries.batches(request.user, include_empty=True).filter(pk=pk).first()
    if batch is None:
        raise Http404
    try:
        qty = int(request.POST.get("quantity") or 0)
        actions.remove_stock(request.user, batch, qty, "scrap", reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已报损。"))
    return redirect("pharmacy:stock", inst=batch.institution_id)


@login_required
@require_http_methods(["GET", "POST"])
def stocktake(request, inst):
    institution = queries.get_institution_for(request.user, inst)
    batches = list(queries.batches(request.user, institution.pk, include_empty=True))
    report = None
    if request.method == "POST":
        counts, bad = {}, False
        for b in batches:
            raw = request.POST.get(f"count_{b.pk}", "").strip()
            if raw == "":
                continue
            if not raw.isdigit():
                bad = True
                messages.error(request, _("批号 %(no)s 的盘点数量须为非负整数。") % {"no": b.batch_no})
                continue
            counts[b.pk] = int(raw)
        if counts and not bad:
            try:
                report = actions.record_stocktake(request.user, institution, counts,
                                                  reason=request.POST.get("reason", ""))
            except ValidationError as exc:
                _flash(request, exc)
            else:
                batches = list(queries.batches(request.user, institution.pk, include_empty=True))
    return render(request, "pharmacy/stocktake.html", {"institution": institution, "batches": batches,
                                                       "report": report})


@login_required
@require_http_methods(["GET", "POST"])
def cabinet(request, inst):
    institution = queries.get_institution_for(request.user, inst)
    if institution.tier != Tier.VILLAGE:
        raise Http404
    form = CabinetForm(request.POST or None) if _is_office(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.set_stock_item(request.user, institution, d["drug"], in_cabinet=d["in_cabinet"],
                                       price=d["price"], min_quantity=d["min_quantity"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("pharmacy:cabinet", inst=institution.pk)
    return render(request, "pharmacy/cabinet.html", {"institution": institution, "rows": queries.cabinet(institution),
                                                     "form": form})


# --- replenishment -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def replenishments(request):
    villages = [i for i in queries.acting_institutions(request.user) if i.tier == Tier.VILLAGE]
    form = ReplenishmentForm(request.POST or None, drugs=queries.drugs(tier=Tier.VILLAGE)) if villages else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                req = actions.request_replenishment(
                    request.user, requester=villages[0],
                    lines=[(ln["drug"], ln["quantity"]) for ln in form.lines()], note=form.cleaned_data["note"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("请领单 %(no)s 已提交。") % {"no": req.number})
                return redirect("pharmacy:replenishment", pk=req.pk)
    page = Paginator(queries.replenishments(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    low = queries.low_stock(request.user, villages[0]) if villages else []
    return render(request, "pharmacy/replenishments.html", {"page": page, "form": form, "low": low,
                                                            "village": villages[0] if villages else None})


@login_required
def replenishment(request, pk):
    req = queries.get_replenishment_for(request.user, pk)
    may_fulfil = (req.status == RequestStatus.REQUESTED
                  and req.supplier_id in {i.pk for i in queries.acting_institutions(request.user)})
    have = queries.on_hand(req.supplier) if may_fulfil else {}
    lines = list(req.lines.select_related("drug"))
    for ln in lines:
        ln.available = have.get(ln.drug_id)
    return render(request, "pharmacy/replenishment.html", {"req": req, "lines": lines, "may_fulfil": may_fulfil})


@login_required
@require_POST
def fulfil(request, pk):
    req = queries.get_replenishment_for(request.user, pk)
    supplied = {}
    for ln in req.lines.all():
        raw = request.POST.get(f"supplied_{ln.pk}", "").strip()
        supplied[ln.pk] = int(raw) if raw.isdigit() else (ln.quantity if raw == "" else -1)
    try:
        actions.fulfil_replenishment(request.user, req, supplied)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已按批次配送。"))
    return redirect("pharmacy:replenishment", pk=req.pk)


# --- prescriptions -----------------------------------------------------------------------------------------------


@login_required
def prescriptions(request):
    status = request.GET.get("status", "")
    qs = queries.prescriptions(request.user, status=status if status in RxStatus.values else "")
    if request.GET.get("review") == "1":
        qs = queries.review_queue(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pharmacy/prescriptions.html", {"page": page, "status": status,
                                                           "statuses": RxStatus.choices})


@login_required
@require_http_methods(["GET", "POST"])
def prescription_new(request):
    try:
        encounter = visible_encounters(request.user).select_related("resident", "institution").get(
            pk=int(request.GET.get("encounter", "")))
    except (ValueError, TypeError, Encounter.DoesNotExist):
        raise Http404 from None
    if encounter.institution_id not in {i.pk for i in queries.acting_institutions(request.user)}:
        raise Http404
    form = PrescriptionForm(request.POST or None, drugs=queries.drugs(tier=encounter.institution.tier))
    if request.method == "POST" and form.is_valid():
        try:
            rx = actions.issue_prescription(request.user, encounter=encounter, long_term=form.cleaned_data["long_term"],
                                            days=form.cleaned_data["days"], lines=form.lines())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("处方 %(no)s 已开具。") % {"no": rx.number})
            return redirect("pharmacy:prescription", pk=rx.pk)
    return render(request, "pharmacy/prescription_form.html", {"form": form, "encounter": encounter})


@login_required
def prescription(request, pk):
    rx = queries.get_prescription_for(request.user, pk)
    acting = {i.pk for i in queries.acting_institutions(request.user)}
    context = {"rx": rx, "lines": rx.lines.all(), "may_dispense": rx.institution_id in acting and rx.status in (
        RxStatus.ISSUED, RxStatus.APPROVED), "may_review": not rx.review and actions.may_review(request.user, rx),
        "review_form": ReviewForm(), "may_cancel": rx.institution_id in acting and rx.status in (
            RxStatus.ISSUED, RxStatus.APPROVED, RxStatus.REJECTED)}
    return render(request, "pharmacy/prescription.html", context)


@login_required
@require_POST
def dispense(request, pk):
    rx = queries.get_prescription_for(request.user, pk)
    try:
        actions.dispense_prescription(request.user, rx)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已发药。"))
    return redirect("pharmacy:prescription", pk=rx.pk)


@login_required
@require_POST
def review(request, pk):
    rx = queries.get_prescription_for(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.review_prescription(request.user, rx, form.cleaned_data["result"], form.cleaned_data["note"])
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已审核。"))
    else:
        messages.error(request, _("请选择审核结果。"))
    return redirect("pharmacy:prescription", pk=rx.pk)


@login_required
@require_POST
def cancel(request, pk):
    rx = queries.get_prescription_for(request.user, pk)
    try:
        actions.cancel_prescription(request.user, rx, request.POST.get("reason", ""))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("pharmacy:prescription", pk=rx.pk)


# --- purchasing and missing drugs ----------------------------------------------------------------------------


@login_required
def purchasing(request):
    period = request.GET.get("period", "")
    plans = queries.purchase_plans(request.user)
    if period:
        plans = plans.filter(period=period)
    office = _is_office(request.user)
    return render(request, "pharmacy/purchasing.html", {
        "plans": plans[:100], "orders": queries.purchase_orders(request.user)[:100], "period": period,
        "aggregate": queries.aggregate_plans(period) if office and period else [], "is_office": office,
        "submitted": PlanStatus.SUBMITTED, "may_plan": queries.acting_institutions(request.user).exists()})


@login_required
@require_POST
def plan_decide(request, pk):
    if not _is_office(request.user):
        raise PermissionDenied
    plan = queries.purchase_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    try:
        actions.approve_plan(request.user, plan, approve=request.POST.get("decision") != "reject",
                             note=request.POST.get("note", ""))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(f"{reverse('pharmacy:purchasing')}?period={plan.period}")


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    """A member writes its month's purchase plan and sends it to the consortium (save_plan + submit_plan)."""
    acting = queries.acting_institutions(request.user)
    if not acting.exists():
        raise PermissionDenied
    form = PlanForm(request.POST or None, institutions=acting, drugs=queries.drugs(),
                    initial={"institution": acting.first(), "period": request.GET.get("period", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = actions.save_plan(request.user, institution=data["institution"], period=data["period"].strip(),
                                     lines=[(ln["drug"], ln["quantity"]) for ln in form.lines()], note=data["note"])
            if request.POST.get("submit") == "1":
                actions.submit_plan(request.user, plan)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("采购计划已上报医共体。") if request.POST.get("submit") == "1"
                             else _("采购计划已保存为草稿。"))
            return redirect(f"{reverse('pharmacy:purchasing')}?period={plan.period}")
    return render(request, "pharmacy/plan_form.html", {"form": form})


@login_required
def order(request, pk):
    o = queries.get_order_for(request.user, pk)
    may_act = o.institution_id in {i.pk for i in queries.acting_institutions(request.user)}
    outstanding = [ol for ol in o.lines.all() if ol.received < ol.quantity]
    return render(request, "pharmacy/order.html", {
        "order": o, "rows": queries.reconcile(o), "invoices": o.invoices.all(), "may_act": may_act,
        "delivery_form": DeliveryForm(order_lines=outstanding) if may_act and outstanding else None,
        "invoice_form": InvoiceForm() if may_act else None})


def _order_to_act_on(request, pk):
    o = queries.get_order_for(request.user, pk)
    if o.institution_id not in {i.pk for i in queries.acting_institutions(request.user)}:
        raise PermissionDenied
    return o


@login_required
@require_POST
def order_delivery(request, pk):
    """到货验收 on the order page: the arrived lines go into stock by batch at the order's price."""
    o = _order_to_act_on(request, pk)
    form = DeliveryForm(request.POST, order_lines=[ol for ol in o.lines.all() if ol.received < ol.quantity])
    if form.is_valid():
        try:
            actions.receive_delivery(request.user, o, delivered_on=form.cleaned_data["delivered_on"],
                                     lines=form.lines())
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("到货已验收入库。"))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("pharmacy:order", pk=o.pk)


@login_required
@require_POST
def order_invoice(request, pk):
    o = _order_to_act_on(request, pk)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            actions.record_invoice(request.user, o, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("发票已登记。"))
    else:
        for name, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{form.fields[name].label}：{e}" if name in form.fields else e)
    return redirect("pharmacy:order", pk=o.pk)


@login_required
@require_http_methods(["GET", "POST"])
def missing(request):
    acting = list(queries.acting_institutions(request.user))
    form = MissingForm(request.POST or None) if acting else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            resident = get_resident_for(request.user, d["resident"]) if d.get("resident") else None
            try:
                actions.register_missing_drug(request.user, institution=acting[0], resident=resident, drug=d["drug"],
                                              drug_text=d["drug_text"], quantity=d["quantity"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已登记，中心药库会收到待办。"))
                return redirect("pharmacy:missing")
    page = Paginator(queries.missing_drugs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pharmacy/missing.html", {"page": page, "form": form})


@login_required
@require_POST
def missing_supplied(request, pk):
    m = queries.missing_drugs(request.user).filter(pk=pk).first()
    if m is None:
        raise Http404
    try:
        actions.mark_missing_supplied(request.user, m, via=request.POST.get("via", "") or _("采购"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("pharmacy:missing")

