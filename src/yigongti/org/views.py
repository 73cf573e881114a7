"""Structure pages: thin views that read through queries.py and change through actions.py."""
from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yigongti.rules.masking import mask_phone

from . import actions
from .denominator_import import import_denominators, template_workbook
from .forms import (
    AreaForm,
    BedForm,
    DenominatorForm,
    DepartmentForm,
    InstitutionDetailsForm,
    InstitutionForm,
    PasswordResetForm,
    RolesForm,
    StaffForm,
    UploadForm,
)
from .models import AgeBand, Area, Department, Institution, Membership, PopulationDenominator, StaffRole
from .permissions import can_edit_denominators, can_edit_structure, can_manage_institution
from .queries import free_beds, staff_of, structure_tree

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _apply_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
def tree(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    return render(request, "org/tree.html", {"roots": structure_tree(year), "year": year,
                                             "can_edit": can_edit_structure(request.user)})


@login_required
def institution_detail(request, pk: int):
    inst = get_object_or_404(Institution.objects.select_related("parent", "area"), pk=pk)
    staff = [{"m": m, "phone": mask_phone(m.user.phone), "roles": [r.get_role_display() for r in m.roles.all()]}
             for m in staff_of(inst)]
    free = set(free_beds(inst).values_list("pk", flat=True))
    return render(request, "org/institution.html", {
        "inst": inst, "staff": staff, "departments": inst.departments.select_related("head"),
        "beds": inst.reserved_beds.filter(active=True).select_related("department"), "free_beds": free,
        "children": inst.children.filter(active=True), "service_areas": inst.service_areas.all(),
        "can_manage": can_manage_institution(request.user, inst),
    })


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request, pk: int | None = None):
    inst = get_object_or_404(Institution, pk=pk) if pk else None
    full = can_edit_structure(request.user)
    if not (full or (inst and can_manage_institution(request.user, inst))):
        raise PermissionDenied
    form_class = InstitutionForm if full else InstitutionDetailsForm
    form = form_class(request.POST or None, instance=inst)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        service_areas = data.pop("service_areas", None)
        try:
            if inst is None:
                inst = actions.create_institution(request.user, service_areas=service_areas or (), **data)
            else:
                inst.refresh_from_db()
                inst = actions.update_institution(request.user, inst, service_areas=service_areas, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:institution", pk=inst.pk)
    return render(request, "org/form.html", {"form": form, "title": _("编辑机构") if inst else _("新增机构"),
                                             "back": inst and inst.pk})


@login_required
@require_http_methods(["GET", "POST"])
def area_new(request):
    if not can_edit_structure(request.user):
        raise PermissionDenied
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_area(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("org:tree")
    return render(request, "org/form.html", {"form": form, "title": _("新增区划")})


def _managed(request, pk: int) -> Institution:
    inst = get_object_or_404(Institution, pk=pk)
    if not can_manage_institution(request.user, inst):
        raise PermissionDenied
    return inst


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request, pk: int):
    inst = _managed(request, pk)
    form = DepartmentForm(request.POST or None)
    form.fields["head"].queryset = get_user_model().objects.filter(memberships__institution=inst)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_department(request.user, inst, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("org:institution", pk=inst.pk)
    return render(request, "org/form.html", {"form": form, "title": _("新增科室"), "back": inst.pk})


@login_required
@require_http_methods(["GET", "POST"])
def bed_new(request, pk: int):
    inst = _managed(request, pk)
    form = BedForm(request.POST or None)
    form.fields["department"].queryset = Department.objects.filter(institution=inst)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_reserved_bed(request.user, inst, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("org:institution", pk=inst.pk)
    return render(request, "org/form.html", {"form": form, "title": _("新增预留床位"), "back": inst.pk})


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request, pk: int):
    inst = _managed(request, pk)
    form = StaffForm(request.POST or None)
    form.fields["department"].queryset = Department.objects.filter(institution=inst)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_staff(request.user, institution=inst, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("roles", _("您无权授予所选角色"))
        else:
            messages.success(request, _("已保存"))
            return redirect("org:institution", pk=inst.pk)
    return render(request, "org/form.html", {"form": form, "title": _("新增人员"), "back": inst.pk})


@login_required
@require_http_methods(["GET", "POST"])
def membership_roles(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("institution", "user"), pk=pk)
    if not can_manage_institution(request.user, membership.institution):
        raise PermissionDenied
    current = set(StaffRole.objects.filter(membership=membership).values_list("role", flat=True))
    form = RolesForm(request.POST or None, initial={"roles": sorted(current)})
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["roles"])
        try:
            with transaction.atomic():
                for role in sorted(wanted - current):
                    actions.assign_role(request.user, membership, role)
                for role in sorted(current - wanted):
                    actions.revoke_role(request.user, membership, role)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("roles", _("您无权授予或撤销所选角色"))
        else:
            messages.success(request, _("已保存"))
            return redirect("org:institution", pk=membership.institution_id)
    title = _("%(name)s 在 %(inst)s 的角色") % {"name": membership.user.display_name,
                                                "inst": membership.institution.name}
    return render(request, "org/form.html", {"form": form, "title": title, "back": membership.institution_id})


@login_required
@require_http_methods(["GET", "POST"])
def membership_password(request, pk: int):
    """An administrator of the staff member's institution sets a new initial password (issue 16)."""
    membership = get_object_or_404(Membership.objects.select_related("institution", "user"), pk=pk)
    if not can_manage_institution(request.user, membership.institution) or membership.user_id == request.user.pk:
        raise PermissionDenied
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reset_password(request.user, membership.user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("password", _("您无权重置该人员的密码"))
        else:
            messages.success(request, _("已重置，对方下次登录时须修改密码"))
            return redirect("org:institution", pk=membership.institution_id)
    title = _("重置 %(name)s 的密码") % {"name": membership.user.display_name}
    return render(request, "org/form.html", {"form": form, "title": title, "back": membership.institution_id})


@login_required
def denominators(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    area = None
    if request.GET.get("area"):
        area = get_object_or_404(Area, pk=request.GET["area"])
    rows = PopulationDenominator.objects.filter(year=year).select_related("area")
    if area:
        rows = rows.filter(area=area)
    table: dict[int, dict] = {}
    for row in rows.order_by("area__code"):
        entry = table.setdefault(row.area_id, {"area": row.area, "cells": {}, "resident": 0, "registered": 0})
        entry["cells"][f"{row.sex}:{row.age_band}"] = row
        entry["resident"] += row.resident
        entry["registered"] += row.registered
    for entry in table.values():
        entry["band_totals"] = [sum(getattr(entry["cells"].get(f"{sex}:{band}"), "resident", 0) for sex in "12")
                                for band in AgeBand.values]
    return render(request, "org/denominators.html", {
        "year": year, "rows": list(table.values())[:500], "bands": AgeBand.choices,
        "can_edit": can_edit_denominators(request.user), "areas": Area.objects.exclude(level="county"),
        "area": area,
    })


@login_required
@require_http_methods(["GET", "POST"])
def denominator_edit(request, area_id: int, year: int):
    if not can_edit_denominators(request.user):
        raise PermissionDenied
    area = get_object_or_404(Area, pk=area_id)
    existing = {(r.sex, r.age_band): r for r in PopulationDenominator.objects.filter(area=area, year=year)}
    cells = [(sex, band, label) for sex in ("1", "2") for band, label in AgeBand.choices]
    forms_ = [DenominatorForm(request.POST or None, prefix=f"{sex}_{band}", initial={
        "sex": sex, "age_band": band, "resident": getattr(existing.get((sex, band)), "resident", 0),
        "registered": getattr(existing.get((sex, band)), "registered", 0)}) for sex, band, _label in cells]
    if request.method == "POST" and all(f.is_valid() for f in forms_):
        with transaction.atomic():
            for f in forms_:
                actions.set_denominator(request.user, area=area, year=year, **f.cleaned_data)
        messages.success(request, _("已保存"))
        return redirect(f"{reverse('org:denominators')}?year={year}&area={area.pk}")
    rows = [{"sex": "男" if sex == "1" else "女", "band": label, "form": f}
            for (sex, band, label), f in zip(cells, forms_, strict=True)]
    return render(request, "org/denominator_edit.html", {"area": area, "year": year, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def denominator_import(request):
    if not can_edit_denominators(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_denominators(request.user, request.FILES["file"].read())
        if report.errors:
            request.session["org_denominator_errors"] = base64.b64encode(report.error_workbook()).decode()
    return render(request, "org/denominator_import.html", {"form": form, "report": report})


@login_required
def denominator_template(request):
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="denominators-template.xlsx"'
    return response


@login_required
def denominator_errors(request):
    if not can_edit_denominators(request.user):
        raise PermissionDenied
    data = request.session.get("org_denominator_errors")
    if not data:
        return redirect("org:denominator_import")
    response = HttpResponse(base64.b64decode(data), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="denominators-errors.xlsx"'
    return response
