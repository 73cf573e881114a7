"""Diagnostics pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.org.access import can_act_for
from yigongti.org.models import User
from yigongti.people.queries import get_resident_for
from yigongti.people.queries import search as search_residents

from . import actions, dicom, queries
from .forms import CallForm, DutyForm, ReportForm, RequestForm, ReviseForm, acting_institutions
from .models import Analyte, DutyShift, Modality, Status, StudyFile, Template
from .storage import StorageError, open_file

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


def _run(request, fn):
    try:
        return fn()
    except ValidationError as exc:
        _flash(request, exc)
    return None


def _back(r):
    return redirect("diagnostics:detail", r.pk)


@login_required
def request_list(request):
    box, status, modality, q = (request.GET.get(k, "") for k in ("box", "status", "modality", "q"))
    qs = queries.search(request.user, q=q, status=status, modality=modality, box=box)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_write = acting_institutions(request.user).exists()
    who = request.GET.get("patient", "").strip()
    patients = list(search_residents(request.user, who, status="active")[:10]) if who and can_write else []
    return render(request, "diagnostics/list.html", {
        "page": page, "box": box, "status": status, "modality": modality, "q": q, "statuses": Status.choices,
        "modalities": Modality.choices, "can_read": queries.reader_centres(request.user).exists(),
        "can_write": can_write, "patients": patients, "patient_q": who})


@login_required
def worklist(request):
    centres = queries.reader_centres(request.user)
    if not centres.exists():
        raise PermissionDenied
    modality = request.GET.get("modality", "")
    rows = list(queries.worklist(request.user, modality=modality, mine=request.GET.get("mine") == "1")[:200])
    now = timezone.now()
    for r in rows:
        r.elapsed = queries.elapsed_minutes(r, now)
        r.timer = queries.timer(r, now)
    counts = {m: queries.worklist(request.user, modality=m).count() for m, _label in Modality.choices}
    template = "diagnostics/_worklist_rows.html" if request.headers.get("HX-Request") else "diagnostics/worklist.html"
    return render(request, template, {"rows": rows, "modality": modality, "counts": counts,
                                      "modalities": Modality.choices, "centres": centres})


def _recognition_context(user, resident, test):
    earlier = actions.recognised_result(resident.pk, test) if test else None
    report = actions.current_report(earlier) if earlier else None
    return {"earlier": earlier, "earlier_report": report}


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    resident = get_resident_for(request.user, request.GET.get("resident") or request.POST.get("resident"),
                                detail="diagnostics_request_new")
    if not acting_institutions(request.user).exists():
        raise PermissionDenied
    form = RequestForm(request.POST or None, request.FILES or None, user=request.user,
                       initial={"institution": acting_institutions(request.user).first(),
                                "test": request.GET.get("test")})
    test = None
    raw_test = request.POST.get("test") or request.GET.get("test")
    if raw_test and str(raw_test).isdigit():
        test = form.fields["test"].queryset.filter(pk=int(raw_test)).first()
    context = {"form": form, "resident": resident, **_recognition_context(request.user, resident, test)}
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "diagnostics/_recognition.html", context)
    if request.method == "POST" and request.POST.get("use_earlier") and test is not None:
        institution = acting_institutions(request.user).filter(pk=request.POST.get("institution")).first()
        if institution is None:
            raise PermissionDenied
        try:
            actions.use_earlier_result(request.user, institution=institution, resident=resident, test=test)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已采用既往结果，未重复检查。"))
            return redirect("diagnostics:detail", context["earlier"].pk)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            r = actions.create_request(request.user, institution=data["institution"], resident=resident,
                                       test=data["test"], centre=data["centre"], priority=data["priority"],
                                       clinical_info=data["clinical_info"], repeat_reason=data["repeat_reason"])
            if data.get("study"):
                actions.attach_study(request.user, r, filename=data["study"].name, content=data["study"].read())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("检查申请已提交：%(number)s") % {"number": r.number})
            return redirect("diagnostics:detail", r.pk)
    return render(request, "diagnostics/form.html", context, status=400 if form.errors else 200)


def _detail_context(request, r) -> dict:
    user = request.user
    reports = list(r.reports.select_related("author").prefetch_related("results__analyte").order_by("revision"))
    files = list(r.files.all())
    specimen = getattr(r, "specimen", None) if r.modality == "lab" else None
    is_reader = actions.may_read(user, r)
    at_centre = can_act_for(user, r.centre.institution_id, actions.CENTRE_STAFF_ROLES)
    requester = actions.may_request(user, r.requesting_institution_id)
    draft = next((x for x in reports if x.signed_at is None), None)
    return {
        "r": r, "reports": reports, "current": reports[-1] if reports else None, "files": files,
        "specimen": specimen, "criticals": list(r.critical_values.select_related("marked_by", "acknowledged_by",
                                                                                   "escalated_to", "phoned_by")),
        "is_reader": is_reader, "at_centre": at_centre, "requester": requester, "draft": draft,
        "is_claimant": r.reader_id == user.pk, "timer": queries.timer(r),
        "elapsed": queries.elapsed_minutes(r), "header": r.centre.header or r.centre.name,
    }


@login_required
def request_detail(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="detail")
    return render(request, "diagnostics/detail.html", _detail_context(request, r))


@login_required
def request_print(request, pk: int):
    """A4 print of the published report with the centre's header."""
    r = queries.get_request_for(request.user, pk, detail="print")
    if r.status != Status.PUBLISHED:
        raise Http404
    ctx = _detail_context(request, r)
    ctx["qr"] = mark_safe(segno.make(r.number, error="m").svg_inline(dark="#000", border=2, omitsize=True))  # noqa: S308
    return render(request, "diagnostics/print.html", ctx)


@login_required
def specimen_label(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="label")
    specimen = getattr(r, "specimen", None) if r.modality == "lab" else None
    if specimen is None:
        raise Http404
    qr = mark_safe(segno.make(specimen.barcode, error="m").svg_inline(dark="#000", border=1, omitsize=True))  # noqa: S308
    return render(request, "diagnostics/label.html", {"r": r, "specimen": specimen, "qr": qr})


@login_required
@require_POST
def upload(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="upload")
    f = request.FILES.get("study")
    _run(request, lambda: actions.attach_study(request.user, r, filename=f.name if f else "",
                                               content=f.read() if f else b""))
    return _back(r)


def _file_of(request, pk: int, file_id: int) -> tuple[StudyFile, bytes]:
    r = queries.get_request_for(request.user, pk, detail="study file")
    f = StudyFile.objects.filter(request=r, pk=file_id).first()
    if f is None:
        raise Http404
    try:
        return f, open_file(f.storage, f.key)
    except StorageError:
        raise Http404 from None


@login_required
def study_file(request, pk: int, file_id: int):
    f, content = _file_of(request, pk, file_id)
    response = HttpResponse(content, content_type=f.content_type)
    disposition = "inline" if f.kind in ("pdf", "image") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="study-{f.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def study_preview(request, pk: int, file_id: int):
    f, content = _file_of(request, pk, file_id)
    png = dicom.preview_png(content) if f.kind == "dicom" else None
    if png is None:
        raise Http404
    return HttpResponse(png, content_type="image/png")


@login_required
@require_POST
def collect(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="collect")
    if _run(request, lambda: actions.collect_specimen(request.user, r, kind=request.POST.get("kind") or "静脉血")):
        messages.success(request, _("标本已采集，请打印条码标签。"))
    return _back(r)


@login_required
@require_http_methods(["GET", "POST"])
def specimen_scan(request):
    """The centre's lab scans a label: find the specimen, receive it, mark it tested."""
    barcode = (request.POST.get("barcode") or request.GET.get("barcode") or "").strip()
    specimen = actions.find_specimen(barcode) if barcode else None
    if specimen is not None and not queries.visible_requests(request.user).filter(pk=specimen.request_id).exists():
        specimen = None
    if request.method == "POST":
        if specimen is None:
            return render(request, "diagnostics/specimen.html", {"barcode": barcode, "specimen": None}, status=404)
        step = request.POST.get("step")
        done = _run(request, lambda: actions.receive_specimen(request.user, specimen, barcode=barcode)
                    if step == "receive" else actions.mark_tested(request.user, specimen))
        if done:
            messages.success(request, _("标本状态：%(state)s") % {"state": done.get_state_display()})
        return redirect("diagnostics:detail", specimen.request_id)
    return render(request, "diagnostics/specimen.html", {"barcode": barcode, "specimen": specimen},
                  status=404 if barcode and specimen is None else 200)


@login_required
@require_POST
def claim(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="claim")
    if _run(request, lambda: actions.claim_request(request.user, r)):
        return redirect("diagnostics:report", r.pk)
    if request.headers.get("HX-Request"):
        return redirect("diagnostics:worklist")
    return _back(r)


@login_required
@require_POST
def release(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="release")
    _run(request, lambda: actions.release_claim(request.user, r))
    return redirect("diagnostics:worklist")


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="report")
    if not actions.may_read(request.user, r) or r.reader_id != request.user.pk:
        raise PermissionDenied
    templates = Template.objects.filter(modality=r.modality, active=True)
    draft = r.reports.filter(signed_at__isnull=True).first()
    chosen = templates.filter(pk=request.GET.get("template")).first() if request.GET.get("template", "").isdigit() \
        else None
    initial = {"findings": chosen.findings if chosen else (draft.findings if draft else ""),
               "impression": chosen.impression if chosen else (draft.impression if draft else "")}
    form = ReportForm(request.POST or None, initial=initial)
    analytes = list(Analyte.objects.filter(test_id=r.test_id))
    values = {x.analyte_id: x.value for x in draft.results.all()} if draft else {}
    for a in analytes:
        a.current = request.POST.get(f"result_{a.code}", values.get(a.pk, ""))
    if request.method == "POST" and form.is_valid():
        results = {a.code: request.POST.get(f"result_{a.code}", "") for a in analytes} if analytes else None
        template = templates.filter(pk=request.POST.get("template")).first() \
            if request.POST.get("template", "").isdigit() else None
        try:
            actions.save_report(request.user, r, findings=form.cleaned_data["findings"],
                                impression=form.cleaned_data["impression"], template=template, results=results)
            if request.POST.get("sign"):
                actions.sign_report(request.user, r)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("报告已签名，待发布。") if request.POST.get("sign") else _("报告草稿已保存。"))
            return _back(r) if request.POST.get("sign") else redirect("diagnostics:report", r.pk)
    return render(request, "diagnostics/report_form.html", {
        "r": r, "form": form, "templates": templates, "chosen": chosen, "analytes": analytes},
        status=400 if form.errors else 200)


@login_required
@require_POST
def sign(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="sign")
    if _run(request, lambda: actions.sign_report(request.user, r)):
        messages.success(request, _("报告已签名，待发布。"))
    return _back(r)


@login_required
@require_POST
def publish(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="publish")
    if _run(request, lambda: actions.publish_report(request.user, r)):
        messages.success(request, _("报告已发布。"))
    return _back(r)


@login_required
@require_http_methods(["GET", "POST"])
def revise(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="revise")
    if not actions.may_read(request.user, r):
        raise PermissionDenied
    current = actions.current_report(r)
    form = ReviseForm(request.POST or None, initial={"findings": current.findings if current else "",
                                                     "impression": current.impression if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            actions.revise_report(request.user, r, reason=form.cleaned_data["reason"],
                                  findings=form.cleaned_data["findings"], impression=form.cleaned_data["impression"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("报告已修订并重新发布。"))
            return _back(r)
    return render(request, "diagnostics/revise.html", {"r": r, "form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def critical_new(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="critical")
    cv = _run(request, lambda: actions.mark_critical(request.user, r, description=request.POST.get("description", "")))
    if cv:
        messages.warning(request, _("危急值已报告：请立即电话通知申请医生并记录复述。"))
        return redirect("diagnostics:critical", cv.pk)
    return _back(r)


@login_required
@require_POST
def cancel(request, pk: int):
    r = queries.get_request_for(request.user, pk, detail="cancel")
    if _run(request, lambda: actions.cancel_request(request.user, r, reason=request.POST.get("reason", ""))):
        messages.success(request, _("申请已撤销。"))
    return _back(r)


@login_required
def critical_list(request):
    mine = list(queries.open_criticals_for(request.user)[:100])
    centre_ids = [c.pk for c in queries.reader_centres(request.user)]
    at_centre = list(queries.visible_criticals(request.user).filter(request__centre_id__in=centre_ids)
                     .select_related("request", "request__test", "request__resident")
                     .order_by("-marked_at")[:100]) if centre_ids else []
    return render(request, "diagnostics/critical_list.html", {"mine": mine, "at_centre": at_centre})


@login_required
def critical_detail(request, pk: int):
    cv = queries.get_critical_for(request.user, pk)
    r = cv.request
    return render(request, "diagnostics/critical.html", {
        "cv": cv, "r": r, "form": CallForm(),
        "may_call": can_act_for(request.user, r.centre.institution_id, actions.CENTRE_STAFF_ROLES),
        "may_ack": actions.may_acknowledge(request.user, cv)})


@login_required
@require_POST
def critical_call(request, pk: int):
    cv = queries.get_critical_for(request.user, pk)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            actions.record_call(request.user, cv, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("电话通知及复述已记录。"))
            return redirect("diagnostics:critical", cv.pk)
    return render(request, "diagnostics/critical.html", {
        "cv": cv, "r": cv.request, "form": form, "may_call": True,
        "may_ack": actions.may_acknowledge(request.user, cv)}, status=400)


@login_required
@require_POST
def critical_ack(request, pk: int):
    cv = queries.get_critical_for(request.user, pk)
    if _run(request, lambda: actions.acknowledge_critical(request.user, cv)):
        messages.success(request, _("危急值已确认。"))
    return redirect("diagnostics:critical", cv.pk)


@login_required
@require_http_methods(["GET", "POST"])
def duty(request):
    """The duty roster (值班表) of the user's institutions: who gets escalated critical values."""
    institutions = acting_institutions(request.user)
    if not institutions.exists():
        raise PermissionDenied
    form = DutyForm(request.POST or None, user=request.user)
    if request.method == "POST" and not institutions.filter(pk=request.POST.get("institution") or 0).exists() \
            and str(request.POST.get("institution", "")).isdigit():
        raise PermissionDenied  # another institution's roster
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        doctor = User.objects.filter(pk=data["doctor"]).first()
        try:
            if doctor is None:
                raise ValidationError({"doctor": _("请选择值班医生。")})
            actions.add_duty_shift(request.user, institution=data["institution"], doctor=doctor,
                                   starts_at=data["starts_at"], ends_at=data["ends_at"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已排班。"))
            return redirect("diagnostics:duty")
    shifts = (DutyShift.objects.filter(institution__in=institutions, ends_at__gte=timezone.now())
              .select_related("institution", "doctor").order_by("starts_at")[:100])
    staff = User.objects.filter(memberships__institution__in=institutions).distinct().order_by("pk")[:200]
    return render(request, "diagnostics/duty.html", {"form": form, "shifts": shifts, "staff": staff},
                  status=400 if form.errors else 200)
