"""Pages that maintain teams and packages: create and edit a team (name, leader, villages covered, retire it),
add and remove members (who may come from other institutions), the consortium office's package editor (items
with yearly counts, price), and the year-end bulk renewal. Every write goes through actions.py, which checks the
acting user may act for the team's institution; a user who may not gets 403/404 and nothing changes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yigongti.api.errors import StaleEdit
from yigongti.org.models import Area, Institution

from . import actions, queries
from .defaults import PACKAGES
from .models import MemberRole, Package, PackageKind, TeamMember

EXTRA_ITEM_ROWS = 3


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def area_choices(institution: Institution):
    """Villages and communities in the institution's service areas (a county institution: none; the office
    picks the township's villages)."""
    q = Q(pk__in=[])
    for path in institution.service_areas.values_list("path", flat=True):
        q |= Q(path__startswith=path)
    return Area.objects.filter(q, level__in=["village", "community"]).order_by("code")


def _leader_choices(institution: Institution):
    User = get_user_model()
    return User.objects.filter(memberships__institution=institution, is_active=True).distinct().order_by("username")


def _editable_team(request, pk):
    team = queries.get_team_for(request.user, pk)
    if not actions.team_admin_institutions(request.user).filter(pk=team.institution_id).exists():
        raise PermissionDenied
    return team


@login_required
def team_new(request):
    institutions = list(actions.team_admin_institutions(request.user).order_by("code"))
    if not institutions:
        raise Http404
    chosen = next((i for i in institutions if str(i.pk) == (request.POST.get("institution")
                                                            or request.GET.get("institution"))), institutions[0])
    if request.method == "POST" and str(chosen.pk) != request.POST.get("institution"):
        raise PermissionDenied
    leaders = _leader_choices(chosen)
    areas = area_choices(chosen)
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        leader = leaders.filter(pk=data.get("leader") or 0).first()
        try:
            team = actions.create_team(request.user, institution=chosen, name=data.get("name", ""), leader=leader,
                                       areas=list(areas.filter(pk__in=data.getlist("areas"))))
            messages.success(request, _("团队已建立"))
            return redirect("familydoctor:team", team.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    return render(request, "familydoctor/team_form.html", {
        "team": None, "institutions": institutions, "chosen": chosen, "leaders": leaders, "areas": areas,
        "selected": [int(a) for a in request.POST.getlist("areas") if a.isdigit()], "errors": errors,
        "data": request.POST}, status=400 if errors else 200)


@login_required
def team_edit(request, pk):
    team = _editable_team(request, pk)
    areas = area_choices(team.institution)
    members = queries.members_of(team)
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        leader = next((m.user for m in members if str(m.user_id) == data.get("leader")), None)
        try:
            actions.update_team(request.user, team, name=data.get("name", ""), leader=leader,
                                areas=list(areas.filter(pk__in=data.getlist("areas"))),
                                active=bool(data.get("active")), expected_version=int(data.get("version") or 0) or None)
            messages.success(request, _("团队已保存"))
            return redirect("familydoctor:team", team.pk)
        except ValidationError as exc:
            errors = _errors(exc)
        except (StaleEdit, ValueError):
            errors = {"__all__": [_("该记录已被他人修改，请刷新后重试。")]}
    return render(request, "familydoctor/team_form.html", {
        "team": team, "areas": areas, "members": members, "errors": errors, "data": request.POST or None,
        "selected": ([int(a) for a in request.POST.getlist("areas") if a.isdigit()] if request.method == "POST"
                     else list(team.areas.values_list("pk", flat=True))),
        "roles": MemberRole.choices}, status=400 if errors else 200)


@login_required
@require_POST
def member_add(request, pk):
    team = _editable_team(request, pk)
    User = get_user_model()
    username = (request.POST.get("username") or "").strip()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        messages.error(request, _("没有登录名为“%(name)s”的用户") % {"name": username})
        return redirect("familydoctor:team_edit", team.pk)
    membership = (user.memberships.filter(institution_id=request.POST.get("institution") or 0).first()
                  or user.memberships.filter(is_primary=True).first() or user.memberships.first())
    if membership is None:
        messages.error(request, _("该用户不在任何机构任职"))
        return redirect("familydoctor:team_edit", team.pk)
    try:
        actions.add_member(request.user, team, user=user, institution=membership.institution,
                           role=request.POST.get("role", ""))
        messages.success(request, _("已加入团队"))
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    return redirect("familydoctor:team_edit", team.pk)


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    team = _editable_team(request, pk)
    member = TeamMember.objects.filter(team=team, pk=member_pk).select_related("team__institution").first()
    if member is None:
        raise Http404
    try:
        actions.remove_member(request.user, member)
        messages.success(request, _("已移出团队"))
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    return redirect("familydoctor:team_edit", team.pk)


@login_required
@require_POST
def bulk_renew(request, pk):
    team = queries.get_team_for(request.user, pk)
    if not actions.is_team_member(request.user, team):
        raise PermissionDenied
    try:
        ending_by = dt.date.fromisoformat(request.POST.get("ending_by") or "")
    except ValueError:
        messages.error(request, _("日期格式不正确"))
        return redirect("familydoctor:team", team.pk)
    try:
        job = actions.request_bulk_renew(request.user, team, ending_by=ending_by)
        messages.success(request, _("已提交批量续约任务（任务号 %(id)s），完成后结果见团队页面。") % {"id": job.pk})
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    return redirect("familydoctor:team", team.pk)


# --- packages ---------------------------------------------------------------------------------------------


def _may_edit_packages(user) -> bool:
    return actions._is_office(user)


@login_required
def package_list(request):
    return render(request, "familydoctor/package_list.html", {
        "packages": queries.packages().order_by("kind", "code"), "may_edit": _may_edit_packages(request.user)})


def _items_from(data) -> tuple[list[dict], dict]:
    items, errors = [], {}
    n = 0
    while f"label_{n}" in data:
        label = (data.get(f"label_{n}") or "").strip()
        if label:
            try:
                count = int(data.get(f"count_{n}") or 0)
            except ValueError:
                errors["items"] = [_("第 %(n)s 项的每年次数须为整数") % {"n": n + 1}]
                count = 0
            items.append({"label": label, "service_code": (data.get(f"code_{n}") or "").strip(),
                          "yearly_count": count, "population": (data.get(f"population_{n}") or "").strip()})
        n += 1
    return items, errors


@login_required
def package_edit(request, code=None):
    if not _may_edit_packages(request.user):
        raise PermissionDenied
    package = Package.objects.filter(code=code).prefetch_related("items").first() if code else None
    if code and package is None:
        raise Http404
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        items, errors = _items_from(data)
        keep_items = "label_0" not in data  # a form without the item rows leaves the items as they are
        try:
            price = Decimal(data.get("price") or "0")
        except InvalidOperation:
            price = None
            errors["price"] = [_("服务费格式不正确")]
        if package is None and Package.objects.filter(code=(data.get("code") or "").strip()).exists():
            errors["code"] = [_("该编码已被使用")]
        if not errors:
            try:
                saved = actions.save_package(request.user, code=package.code if package else data.get("code", "").strip(),
                                             name=data.get("name", ""), kind=data.get("kind", ""), price=price,
                                             description=data.get("description", ""),
                                             items=None if keep_items else items,
                                             active=bool(data.get("active")))
                messages.success(request, _("服务包已保存"))
                return redirect("familydoctor:package_edit", saved.code)
            except ValidationError as exc:
                errors = _errors(exc)
        rows = items
    else:
        rows = [{"label": i.label, "service_code": i.service_code, "yearly_count": i.yearly_count,
                 "population": i.population} for i in package.items.all()] if package else []
    rows = rows + [{"label": "", "service_code": "", "yearly_count": "", "population": ""}] * EXTRA_ITEM_ROWS
    from yigongti.people import services

    return render(request, "familydoctor/package_form.html", {
        "package": package, "rows": rows, "errors": errors, "data": request.POST or None,
        "kinds": PackageKind.choices, "service_kinds": sorted(services.kinds().items()),
        "defaults": [p[0] for p in PACKAGES], "today": timezone.localdate()}, status=400 if errors else 200)
