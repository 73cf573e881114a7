"""Resident record pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yigongti.audit.exports import ExportTicket, export_gate, watermark_workbook
from yigongti.rules.masking import mask_document, mask_phone

from . import actions, crypto, keypops, timeline
from .forms import (
    DeathForm,
    EditResidentForm,
    EncounterForm,
    ExamForm,
    JoinHouseholdForm,
    MergeForm,
    MoveAwayForm,
    NewResidentForm,
    SearchForm,
    TagForm,
    acting_institutions,
    areas_served_by,
)
from .models import Disability, Household, RecordStatus, Resident, ResidentMerge, ResidentTag
from .queries import get_resident_for, search, visible_residents

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 25
EXPORT_LIMIT = 20000


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _row(r: Resident) -> dict:
    return {"r": r, "document": mask_document(crypto.decrypt(r.document_number_enc)),
            "phone": mask_phone(crypto.decrypt(r.phone_enc))}


@login_required
def resident_list(request):
    form = SearchForm(request.GET or None)
    q, status = "", "current"
    if form.is_valid():
        q, status = form.cleaned_data["q"], form.cleaned_data["status"] or "current"
    qs = search(request.user, q, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(r) for r in page.object_list]
    context = {"form": form, "page": page, "rows": rows, "q": q,
               "can_register": acting_institutions(request.user).exists()}
    if request.headers.get("HX-Request"):
        return render(request, "people/_results.html", context)
    return render(request, "people/list.html", context)


@login_required
def resident_export(request):
    """XLSX of the current scoped search, document and phone masked."""
    from openpyxl import Workbook

    form = SearchForm(request.GET or None)
    q, status = "", "current"
    if form.is_valid():
        q, status = form.cleaned_data["q"], form.cleaned_data["status"] or "current"
    qs = search(request.user, q, status=status)[:EXPORT_LIMIT]
    ticket = export_gate(request, "people.Resident", qs.count(),  # purpose, role, approval (issue 16)
                         filters=f"q={q} status={status}")
    if not isinstance(ticket, ExportTicket):
        return ticket
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("居民"))
    ws.append([ticket.watermark])
    ws.append([_("健康档案编号"), _("姓名"), _("性别"), _("出生日期"), _("证件类型"), _("证件号码"), _("电话"),
               _("村/社区"), _("档案状态")])
    for r in qs:
        row = _row(r)
        ws.append([r.record_number, r.name, r.get_sex_display(), r.birth_date, r.get_document_type_display(),
                   row["document"], row["phone"], r.area.name, r.get_status_display()])
    watermark_workbook(wb, ticket)  # the export itself was logged by the gate, with its purpose
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="residents-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def resident_new(request):
    institutions = list(acting_institutions(request.user).prefetch_related("service_areas"))
    areas = areas_served_by(institutions)
    if not areas:
        raise PermissionDenied
    form = NewResidentForm(request.POST or None, areas=areas)
    candidates = []
    if request.method == "POST" and form.is_valid():
        data = form.action_fields()
        inst = next(i for i in institutions if actions._covers(i, data["area"]))
        try:
            resident = actions.register_resident(request.user, institution=inst,
                                                 force=form.cleaned_data.get("force", False), **data)
        except actions.PossibleDuplicate as exc:
            visible = set(visible_residents(request.user).filter(
                pk__in=[r.pk for r, _m in exc.candidates]).values_list("pk", flat=True))
            candidates = [r for r, _m in exc.candidates if r.pk in visible]
            _apply_errors(form, exc)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已建档，档案编号 %(number)s") % {"number": resident.record_number})
            return redirect("people:detail", pk=resident.pk)
    return render(request, "people/form.html", {"form": form, "title": _("新建居民档案"), "candidates": candidates})


def _record_context(request, resident: Resident) -> dict:
    user = request.user
    can_edit = True
    try:
        actions.editing_institution(user, resident)
    except PermissionDenied:
        can_edit = False
    merges = list(ResidentMerge.objects.filter(kept=resident, undone_at=None).select_related("merged"))
    candidates = []
    if can_edit and resident.status != RecordStatus.MERGED:
        similar = actions.similar_residents(name=resident.name, birth_date=resident.birth_date, sex=resident.sex,
                                            phone=crypto.decrypt(resident.phone_enc), exclude_pk=resident.pk)
        visible = set(visible_residents(user).filter(pk__in=[r.pk for r, _m in similar]).values_list("pk", flat=True))
        candidates = [r for r, _m in similar if r.pk in visible]
    members = []
    if resident.household_id:
        members = list(visible_residents(user).filter(household_id=resident.household_id).exclude(pk=resident.pk)
                       .exclude(status=RecordStatus.MERGED).order_by("birth_date", "pk"))
    sensitive_ok = {t for t in ResidentTag.SENSITIVE if _may_see(user, t)}
    tags = [t for t in resident.tags.all() if t.tag not in ResidentTag.SENSITIVE or t.tag in sensitive_ok]
    return {
        "r": resident, "document": mask_document(crypto.decrypt(resident.document_number_enc)),
        "phone": mask_phone(crypto.decrypt(resident.phone_enc)), "address": crypto.decrypt(resident.address_enc),
        "contact_phone": mask_phone(crypto.decrypt(resident.contact_phone_enc)),
        "disabilities": [Disability(d).label for d in resident.disability or [] if d in Disability.values],
        "age": keypops.age_on(resident.birth_date, resident.death_date or timezone.localdate()),
        "populations": keypops.populations_of(resident, user), "tags": tags,
        "entries": timeline.entries(resident, user), "merges": merges, "candidates": candidates,
        "can_edit": can_edit and resident.status != RecordStatus.MERGED,
        "can_record": acting_institutions(user).exists() and resident.status != RecordStatus.MERGED,
        "tag_form": TagForm(), "merge_form": MergeForm(), "members": members,
        "join_form": JoinHouseholdForm(auto_id="join_%s", initial={"version": resident.version}),
        "move_form": MoveAwayForm(auto_id="move_%s", initial={"version": resident.version, "moved_on": timezone.localdate()}),
        "death_form": DeathForm(auto_id="death_%s", initial={"version": resident.version}),
    }


def _may_see(user, tag: str) -> bool:
    from yigongti.org.scoping import may_see_sensitive

    return may_see_sensitive(user, tag)


@login_required
def resident_detail(request, pk: int):
    resident = get_resident_for(request.user, pk)
    return render(request, "people/detail.html", _record_context(request, resident))


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    resident = get_resident_for(request.user, pk, detail="edit")
    try:
        inst = actions.editing_institution(request.user, resident)
    except PermissionDenied:
        raise
    areas = areas_served_by(list(acting_institutions(request.user).prefetch_related("service_areas")))
    if resident.area not in areas:
        areas.append(resident.area)
    initial = {name: getattr(resident, name) for name in actions.PLAIN_FIELDS if name not in ("household",)}
    initial.update(id_number=crypto.decrypt(resident.document_number_enc), phone=crypto.decrypt(resident.phone_enc),
                   address=crypto.decrypt(resident.address_enc),
                   contact_phone=crypto.decrypt(resident.contact_phone_enc), version=resident.version,
                   past_history="\n".join(map(str, resident.past_history or [])),
                   family_history="\n".join(map(str, resident.family_history or [])))
    form = EditResidentForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.action_fields()
        try:
            actions.update_resident(request.user, resident, form.cleaned_data["version"], **data)
        except actions.StaleVersion:
            form.add_error(None, _("该档案已被他人修改，请刷新后重试。"))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:detail", pk=resident.pk)
    return render(request, "people/form.html", {"form": form, "title": _("编辑档案：%(name)s") % {"name": resident.name},
                                                "back": resident.pk, "inst": inst})


def _post_action(request, pk: int, form_class, run):
    resident = get_resident_for(request.user, pk, detail="change")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(resident, form.cleaned_data)
        except actions.StaleVersion:
            messages.error(request, _("该档案已被他人修改，请刷新后重试。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("people:detail", pk=resident.pk)


@login_required
@require_POST
def resident_move(request, pk: int):
    return _post_action(request, pk, MoveAwayForm, lambda r, d: actions.record_move_away(
        request.user, r, d["moved_on"], expected_version=d["version"]))


@login_required
@require_POST
def resident_death(request, pk: int):
    return _post_action(request, pk, DeathForm, lambda r, d: actions.record_death(
        request.user, r, d["death_date"], d["death_cause"], expected_version=d["version"]))


@login_required
@require_POST
def resident_tag(request, pk: int):
    return _post_action(request, pk, TagForm, lambda r, d: actions.add_tag(request.user, r, d["tag"]))


@login_required
@require_POST
def resident_untag(request, pk: int, tag: str):
    resident = get_resident_for(request.user, pk, detail="change")
    actions.remove_tag(request.user, resident, tag)
    messages.success(request, _("已保存"))
    return redirect("people:detail", pk=resident.pk)


@login_required
@require_POST
def resident_merge(request, pk: int):
    def run(kept, data):
        other = data["other"].strip()
        visible = visible_residents(request.user).exclude(pk=kept.pk)
        merged = (visible.filter(record_number=other).first()
                  or (visible.filter(pk=int(other)).first() if other.isdigit() and len(other) < 17 else None))
        if merged is None:
            raise ValidationError(_("找不到该档案。"))
        actions.merge_residents(request.user, kept, merged, data["reason"])

    return _post_action(request, pk, MergeForm, run)


@login_required
@require_POST
def household_new(request, pk: int):
    resident = get_resident_for(request.user, pk, detail="change")
    try:
        home = actions.create_household(request.user, resident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已建立家庭户 %(number)s") % {"number": home.number})
    return redirect("people:detail", pk=resident.pk)


@login_required
@require_POST
def household_join(request, pk: int):
    def run(resident, data):
        # Only a household of the resident's own village can be joined, so a number names nothing outside.
        home = Household.objects.filter(number=data["number"].strip(), area_id=resident.area_id).first()
        if home is None:
            raise ValidationError(_("本村/社区没有该户编号。"))
        actions.join_household(request.user, resident, home, data["relation_to_head"],
                               expected_version=data["version"])

    return _post_action(request, pk, JoinHouseholdForm, run)


@login_required
@require_POST
def household_leave(request, pk: int):
    resident = get_resident_for(request.user, pk, detail="change")
    actions.leave_household(request.user, resident)
    messages.success(request, _("已保存"))
    return redirect("people:detail", pk=resident.pk)


@login_required
@require_POST
def merge_undo(request, pk: int):
    merge = get_object_or_404(ResidentMerge, pk=pk)
    get_resident_for(request.user, merge.kept_id, detail="undo merge")
    try:
        actions.undo_merge(request.user, merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销合并"))
    return redirect("people:detail", pk=merge.kept_id)


@login_required
@require_http_methods(["GET", "POST"])
def exam_new(request, pk: int):
    resident = get_resident_for(request.user, pk, detail="exam")
    form = ExamForm(request.POST or None, user=request.user, initial={"exam_date": timezone.localdate()})
    if not form.fields["institution"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_exam(request.user, institution=form.cleaned_data["institution"], resident=resident,
                                **form.action_fields())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:detail", pk=resident.pk)
    return render(request, "people/form.html", {"form": form, "back": resident.pk,
                                                "title": _("健康体检：%(name)s") % {"name": resident.name}})


@login_required
@require_http_methods(["GET", "POST"])
def encounter_new(request, pk: int):
    resident = get_resident_for(request.user, pk, detail="encounter")
    form = EncounterForm(request.POST or None, user=request.user, initial={"visit_date": timezone.localdate()})
    if not form.fields["institution"].queryset.exists():
        messages.error(request, _("您所在机构的就诊数据来自其HIS系统，不能在本平台录入。"))
        return redirect("people:detail", pk=resident.pk)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_encounter(request.user, institution=form.cleaned_data["institution"], resident=resident,
                                     **form.action_fields())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:detail", pk=resident.pk)
    return render(request, "people/form.html", {"form": form, "back": resident.pk,
                                                "title": _("就诊记录：%(name)s") % {"name": resident.name}})
