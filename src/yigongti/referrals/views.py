"""Referral pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.models import Institution
from yigongti.people import crypto
from yigongti.people.models import Icd10Code
from yigongti.people.queries import get_resident_for
from yigongti.people.queries import search as search_residents
from yigongti.rules import referral as rules
from yigongti.rules.masking import mask_phone

from . import actions, queries
from .forms import (
    AcceptForm,
    ApproveForm,
    CatalogEntryForm,
    FilingForm,
    FindForm,
    ReasonForm,
    ReferralForm,
    ReturnForm,
    acting_institutions,
)
from .models import CatalogEntry, CatalogKind, DeductibleRate, Direction, Policy, Status

PAGE_SIZE = 25


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def allowed_for(user, r) -> list[str]:
    """The actions of the table open to ``user`` on this referral now."""
    out = []
    for action in rules.allowed_actions(r.effective_status(timezone.localdate())):
        who = rules.ACTOR_OF[action]
        if who == rules.SENDER and actions.may_act(user, r.from_institution_id):
            out.append(action)
        elif who == rules.HEAD and actions.is_head_for(user, r):
            out.append(action)
        elif who == rules.RECEIVER and actions.may_act(user, r.to_institution_id):
            if action == rules.ACCEPT and r.referring_doctor_id == user.pk:
                continue
            out.append(action)
    return out


@login_required
def referral_list(request):
    box = request.GET.get("box", "")
    state = request.GET.get("state", "")
    q = request.GET.get("q", "")
    qs = queries.search(request.user, q=q, box=box, state=state, direction=request.GET.get("direction", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.state_label = _("已过期") if r.state == rules.EXPIRED else r.get_status_display()
    patients = []
    who = request.GET.get("patient", "").strip()
    if who and acting_institutions(request.user).exists():
        patients = list(search_residents(request.user, who, status="active")[:10])
    return render(request, "referrals/list.html", {
        "page": page, "box": box, "state": state, "q": q, "find_form": FindForm(),
        "states": [*Status.choices, (rules.EXPIRED, _("已过期"))], "directions": Direction.choices,
        "direction": request.GET.get("direction", ""), "patients": patients, "patient_q": who,
        "can_write": acting_institutions(request.user).exists(),
    })


@login_required
def find(request):
    """The receiving desk types or scans the number (a handheld scanner types it and presses Enter)."""
    form = FindForm(request.GET or None)
    if form.is_valid():
        r = queries.find_by_number(request.user, form.cleaned_data["number"])
        if r is not None:
            return redirect("referrals:detail", r.pk)
        form.add_error("number", _("未找到该编号的转诊单，或您无权查看。"))
        return render(request, "referrals/find.html", {"form": form}, status=404)
    return render(request, "referrals/find.html", {"form": form})


def _icd_options():
    return Icd10Code.objects.filter(active=True).order_by("code").values_list("code", "name")[:2000]


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    resident = get_resident_for(request.user, request.GET.get("resident") or request.POST.get("resident"),
                                detail="referral_new")
    if not acting_institutions(request.user).exists():
        raise PermissionDenied
    form = ReferralForm(request.POST or None, user=request.user,
                        initial={"from_institution": acting_institutions(request.user).first(),
                                 "consent_by": resident.name})
    if request.method == "POST" and form.is_valid():
        data = form.action_fields()
        try:
            r = actions.create_referral(request.user, from_institution=data.pop("from_institution"),
                                        to_institution=data.pop("to_institution"), resident=resident, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("from_institution", str(exc) or _("您不能以该机构的名义开具转诊单。"))
        else:
            messages.success(request, _("转诊单 %(number)s 已保存为草稿。") % {"number": r.number})
            return redirect("referrals:detail", r.pk)
    return render(request, "referrals/form.html", {"form": form, "resident": resident, "icd": _icd_options()})


@login_required
@require_http_methods(["GET", "POST"])
def referral_edit(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="edit")
    if r.status != Status.DRAFT or not actions.may_act(request.user, r.from_institution_id):
        raise PermissionDenied
    initial = {name: getattr(r, name) for name in actions.DRAFT_FIELDS}
    initial.update(other_diagnoses=" ".join(r.other_diagnoses), from_institution=r.from_institution,
                   to_institution=r.to_institution, version=r.version)
    form = ReferralForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.action_fields()
        data.pop("from_institution", None)
        version = form.cleaned_data.get("version")
        try:
            actions.update_referral(request.user, r, version, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except actions.StaleVersion:
            form.add_error(None, _("该转诊单已被他人修改，请刷新后重试。"))
        else:
            return redirect("referrals:detail", r.pk)
    return render(request, "referrals/form.html", {"form": form, "resident": r.resident, "referral": r,
                                                   "icd": _icd_options()})


def _qr_svg(number: str) -> str:
    """The referral number as an inline SVG QR code (segno), for the form and its print."""
    return segno.make(number, error="m").svg_inline(dark="#000", border=2, omitsize=True)


def _detail_context(request, r) -> dict:
    today = timezone.localdate()
    state = r.effective_status(today)
    allowed = allowed_for(request.user, r)
    free = queries.free_beds(r.to_institution_id)
    names = dict(Icd10Code.objects.filter(code__in={r.primary_diagnosis, r.return_diagnosis, *r.other_diagnoses})
                 .values_list("code", "name"))
    resident = r.resident
    return {
        "r": r, "state": state, "state_label": _("已过期") if state == rules.EXPIRED else r.get_status_display(),
        "allowed": allowed, "names": names, "attachments": list(r.attachments.all()),
        "deductible": _deductible(queries.deductible_for(r)), "free_beds": free.count(),
        "primary_name": names.get(r.primary_diagnosis, ""), "return_name": names.get(r.return_diagnosis, ""),
        "accept_form": AcceptForm(referral=r, free_beds=free) if rules.ACCEPT in allowed else None,
        "reason_form": ReasonForm(), "approve_form": ApproveForm(), "return_form": ReturnForm(),
        "can_attach": actions.may_act(request.user, r.from_institution_id)
        and r.status in (Status.DRAFT, Status.PENDING_APPROVAL, Status.SUBMITTED),
        "qr": mark_safe(_qr_svg(r.number)),  # noqa: S308 - segno's own SVG of the referral number
        "phone": crypto.decrypt(resident.phone_enc), "phone_masked": mask_phone(crypto.decrypt(resident.phone_enc)),
        "id_number": crypto.decrypt(resident.document_number_enc),
        "address": crypto.decrypt(resident.address_enc),
    }


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


def _deductible(d) -> dict:
    return {"code": d.code, "amount_yuan": _yuan(d.amount_fen), "receiving_yuan": _yuan(d.receiving_fen),
            "sending_yuan": _yuan(d.sending_fen), "bonus_points": d.bonus_points}


@login_required
def referral_detail(request, pk: int):
    r = queries.get_referral_for(request.user, pk)
    return render(request, "referrals/detail.html", _detail_context(request, r))


@login_required
def referral_print(request, pk: int):
    """A4 print of the form like seed 000's, with its QR code, the 存根 and the 回转单."""
    r = queries.get_referral_for(request.user, pk, detail="print")
    return render(request, "referrals/print.html", _detail_context(request, r))


def _done(request, r, message):
    messages.success(request, message)
    return redirect("referrals:detail", r.pk)


def _run(request, r, fn):
    try:
        return fn()
    except ValidationError as exc:
        _flash(request, exc)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return None


@login_required
@require_POST
def submit(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="submit")
    if _run(request, r, lambda: actions.submit_referral(request.user, r)):
        return _done(request, r, _("转诊单已提交。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def approve(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="approve")
    form = ApproveForm(request.POST)
    opinion = form.cleaned_data.get("opinion", "") if form.is_valid() else ""
    if _run(request, r, lambda: actions.approve_referral(request.user, r, opinion)):
        return _done(request, r, _("已审核同意转出。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def accept(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="accept")
    form = AcceptForm(request.POST, referral=r, free_beds=queries.free_beds(r.to_institution_id))
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("referrals:detail", r.pk)
    data = form.cleaned_data
    if _run(request, r, lambda: actions.accept_referral(
            request.user, r, doctor=data["doctor"], department=data["department"],
            appointment_at=data["appointment_at"], reserve_bed=data["reserve_bed"], bed=data["bed"],
            note=data["note"])):
        return _done(request, r, _("已接收转诊。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def reject(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="reject")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    if _run(request, r, lambda: actions.reject_referral(request.user, r, reason)):
        return _done(request, r, _("已拒绝该转诊。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def receive(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="receive")
    if _run(request, r, lambda: actions.receive_referral(request.user, r)):
        return _done(request, r, _("已接诊。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def complete(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="complete")
    form = ReturnForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    if _run(request, r, lambda: actions.complete_referral(request.user, r, **data)):
        return _done(request, r, _("回转单已发回转诊机构。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def cancel(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="cancel")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    if _run(request, r, lambda: actions.cancel_referral(request.user, r, reason)):
        return _done(request, r, _("转诊单已撤销。"))
    return redirect("referrals:detail", r.pk)


@login_required
@require_POST
def attach(request, pk: int):
    r = queries.get_referral_for(request.user, pk, detail="attach")
    n = _run(request, r, lambda: actions.attach_recent_results(request.user, r) or -1)
    if n:
        messages.success(request, _("已附加 %(n)s 项近期检查检验与就诊结果。") % {"n": max(n, 0)})
    return redirect("referrals:detail", r.pk)


@login_required
def beds(request):
    ids = queries.member_institution_ids(request.user)
    if queries.is_oversight(request.user):
        from yigongti.org.models import ReservedBed

        ids = list(ReservedBed.objects.values_list("institution_id", flat=True).distinct())
    return render(request, "referrals/beds.html", {"board": queries.bed_board(ids)})


@login_required
@require_http_methods(["GET", "POST"])
def filings(request):
    """转外就医备案: the list, and a new filing for a resident (``?resident=``)."""
    resident = None
    form = None
    rid = request.GET.get("resident") or request.POST.get("resident")
    if rid:
        resident = get_resident_for(request.user, rid, detail="filing")
        if not acting_institutions(request.user).exists():
            raise PermissionDenied
        form = FilingForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            try:
                f = actions.file_outside(request.user, resident=resident, **data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("institution", str(exc))
            else:
                messages.success(request, _("转外就医备案 %(number)s 已登记。") % {"number": f.number})
                return redirect("referrals:filings")
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(queries.visible_filings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "referrals/filings.html", {"page": page, "form": form, "resident": resident})


@login_required
def suggestions(request):
    """County inpatients whose diagnosis is on the down-referral catalog (建议下转)."""
    rows = list(queries.down_referral_suggestions(request.user)[:100])
    return render(request, "referrals/suggestions.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def catalogs(request):
    """The catalogs and the deductible table; the consortium office adds and retires entries."""
    from yigongti.org.access import has_role
    from yigongti.org.models import Role

    may_edit = has_role(request.user, Role.CONSORTIUM_OFFICE)
    form = CatalogEntryForm(request.POST or None)
    if request.method == "POST" and "policy_institution" in request.POST:
        inst = Institution.objects.filter(pk=request.POST.get("policy_institution") or 0).first()
        if inst is None:
            raise Http404
        actions.set_policy(request.user, inst, requires_head_approval=request.POST.get("requires") == "1")
        messages.success(request, _("转诊设置已保存。"))
        return redirect("referrals:catalogs")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if "retire" in request.POST:
            entry = CatalogEntry.objects.filter(pk=request.POST.get("retire")).first()
            if entry is None:
                raise Http404
            actions.retire_catalog_entry(request.user, entry)
            return redirect("referrals:catalogs")
        if form.is_valid():
            try:
                actions.add_catalog_entry(request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已加入目录。"))
                return redirect("referrals:catalogs")
    entries = CatalogEntry.objects.filter(active=True).order_by("kind", "grade_level", "code")
    groups = []
    for kind, label in CatalogKind.choices:
        for level in (["1", "2", "3"] if kind == CatalogKind.FIRST_DIAGNOSIS else [""]):
            rows = [e for e in entries if e.kind == kind and e.grade_level == level]
            groups.append({"label": label, "level": level, "rows": rows})
    if may_edit:
        settable = Institution.objects.filter(active=True, tier__in=["county", "township"])
    else:
        settable = Institution.objects.filter(pk__in=[i for i in queries.member_institution_ids(request.user)
                                                      if has_role(request.user, Role.INSTITUTION_ADMIN,
                                                                  institution_id=i)])
    needing = set(Policy.objects.filter(requires_head_approval=True).values_list("institution_id", flat=True))
    policies = [{"institution": i, "requires": i.pk in needing} for i in settable.order_by("tier", "code")]
    return render(request, "referrals/catalogs.html", {
        "groups": groups, "form": form, "may_edit": may_edit, "policies": policies,
        "rates": DeductibleRate.objects.order_by("scheme", "grade_level")})
