"""Every change to the consortium's structure: one function per state change, each holding the
permission check, the validation, the transaction and the audit entry."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from yigongti import events
from yigongti.audit.log import record_change
from yigongti.rules.areas import area_code_problem

from .models import (
    Area,
    AreaYearFigures,
    Department,
    Institution,
    Membership,
    PopulationDenominator,
    ReservedBed,
    Role,
    StaffRole,
)
from .permissions import (
    SEPARATED_ADMIN_ROLES,
    can_edit_denominators,
    can_edit_structure,
    can_manage_institution,
    require,
)

AREA_CODE_ERRORS = {
    "county_code_6_digits": _l("县级区划代码应为6位数字（GB/T 2260）"),
    "code_12_digits": _l("乡镇、村级统计用区划代码应为12位数字"),
    "not_under_parent": _l("区划代码与上级区划不一致"),
    "level_order": _l("区划级别与上级不匹配"),
}


def _snapshot(obj, fields: Iterable[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _audit(actor, action: str, subject, before, after, institution_id=None) -> None:
    record_change(actor, action=action, subject=subject, before=before, after=after,
                  institution_id=institution_id)


# --- areas -------------------------------------------------------------------------------------------


@transaction.atomic
def create_area(actor, *, code: str, name: str, level: str, parent: Area | None = None) -> Area:
    require(can_edit_structure(actor))
    problem = area_code_problem(code, level, parent.code if parent else None, parent.level if parent else None)
    if problem:
        raise ValidationError({"code": str(AREA_CODE_ERRORS[problem])})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": _("该区划代码已存在")})
    area = Area.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    _audit(actor, "create", area, None, _snapshot(area, ["code", "name", "level", "parent_id"]))
    return area


@transaction.atomic
def rename_area(actor, area: Area, *, name: str) -> Area:
    require(can_edit_structure(actor))
    before = _snapshot(area, ["name"])
    area.name = name.strip()
    area.save(update_fields=["name"])
    _audit(actor, "update", area, before, _snapshot(area, ["name"]))
    return area


# --- institutions ------------------------------------------------------------------------------------

INSTITUTION_FIELDS = ["code", "name", "short_name", "tier", "kind", "grade", "insurance_code", "clinical_system",
                      "parent_id", "is_lead", "is_subcentre", "area_id", "address", "phone", "beds", "active"]
TIER_OF_KIND = {
    "general_hospital": {"county"}, "tcm_hospital": {"county"}, "mch_hospital": {"county"}, "cdc": {"county"},
    "emergency_centre": {"county"}, "township_centre": {"township"}, "community_centre": {"township"},
    "community_station": {"village"}, "village_clinic": {"village"},
}


def _validate_institution(inst: Institution) -> None:
    errors = {}
    if inst.tier not in TIER_OF_KIND.get(inst.kind, {inst.tier}):
        errors["kind"] = _("机构类别与层级不符")
    if inst.parent_id and inst.parent_id == inst.pk:
        errors["parent"] = _("上级机构不能是自己")
    if inst.tier == "village" and not inst.parent_id:
        errors["parent"] = _("村卫生室须由乡镇卫生院管理（乡村一体化）")
    qs = Institution.objects.filter(code=inst.code)
    if inst.pk:
        qs = qs.exclude(pk=inst.pk)
    if qs.exists():
        errors["code"] = _("该机构编码已存在")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_institution(actor, *, service_areas: Iterable[Area] = (), **fields) -> Institution:
    require(can_edit_structure(actor))
    inst = Institution(**fields)
    _validate_institution(inst)
    inst.save()
    if service_areas:
        inst.service_areas.set(service_areas)
    _audit(actor, "create", inst, None, _snapshot(inst, INSTITUTION_FIELDS), institution_id=inst.pk)
    return inst


@transaction.atomic
def update_institution(actor, institution: Institution, *, service_areas: Iterable[Area] | None = None,
                       **changes) -> Institution:
    require(can_manage_institution(actor, institution))
    structural = {"tier", "kind", "parent", "parent_id", "is_lead", "code"}
    if structural & set(changes):
        require(can_edit_structure(actor))  # an institution admin edits details, not the structure
    before = _snapshot(institution, INSTITUTION_FIELDS)
    for name, value in changes.items():
        setattr(institution, name, value)
    _validate_institution(institution)
    institution.save()
    if service_areas is not None:
        require(can_edit_structure(actor))
        institution.service_areas.set(service_areas)
    _audit(actor, "update", institution, before, _snapshot(institution, INSTITUTION_FIELDS),
           institution_id=institution.pk)
    return institution


@transaction.atomic
def add_department(actor, institution: Institution, *, code: str, name: str, is_tcm: bool = False,
                   head=None) -> Department:
    require(can_manage_institution(actor, institution))
    if Department.objects.filter(institution=institution, code=code).exists():
        raise ValidationError({"code": _("该科室编码已存在")})
    if head is not None and not Membership.objects.filter(user=head, institution=institution).exists():
        raise ValidationError({"head": _("科主任须为本机构人员")})
    dept = Department.objects.create(institution=institution, code=code, name=name, is_tcm=is_tcm, head=head)
    _audit(actor, "create", dept, None, _snapshot(dept, ["code", "name", "is_tcm", "head_id"]),
           institution_id=institution.pk)
    return dept


@transaction.atomic
def update_department(actor, department: Department, **changes) -> Department:
    require(can_manage_institution(actor, department.institution))
    head = changes.get("head")
    if head is not None and not Membership.objects.filter(user=head, institution=department.institution).exists():
        raise ValidationError({"head": _("科主任须为本机构人员")})
    before = _snapshot(department, ["code", "name", "is_tcm", "head_id"])
    for name, value in changes.items():
        setattr(department, name, value)
    department.save()
    _audit(actor, "update", department, before, _snapshot(department, ["code", "name", "is_tcm", "head_id"]),
           institution_id=department.institution_id)
    return department


@transaction.atomic
def add_reserved_bed(actor, institution: Institution, *, label: str, department: Department | None = None):
    require(can_manage_institution(actor, institution))
    if department is not None and department.institution_id != institution.pk:
        raise ValidationError({"department": _("科室不属于该机构")})
    if ReservedBed.objects.filter(institution=institution, label=label).exists():
        raise ValidationError({"label": _("该床位号已存在")})
    bed = ReservedBed.objects.create(institution=institution, department=department, label=label)
    _audit(actor, "create", bed, None, {"label": label, "department_id": bed.department_id},
           institution_id=institution.pk)
    return bed


@transaction.atomic
def retire_reserved_bed(actor, bed: ReservedBed) -> ReservedBed:
    require(can_manage_institution(actor, bed.institution))
    ReservedBed.objects.filter(pk=bed.pk).update(active=False)
    bed.refresh_from_db()
    _audit(actor, "update", bed, {"active": True}, {"active": False}, institution_id=bed.institution_id)
    return bed


# --- staff ----------------------------------------------------------------------------------------------


def _check_role_grant(actor, institution: Institution, role: str, user) -> None:
    if role not in Role.values:
        raise ValidationError({"roles": _("未知角色：%(role)s") % {"role": role}})
    if role in SEPARATED_ADMIN_ROLES or role in (Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU):
        require(can_edit_structure(actor))
    if role in SEPARATED_ADMIN_ROLES:
        held = set(StaffRole.objects.filter(membership__user=user).values_list("role", flat=True))
        other = (held & SEPARATED_ADMIN_ROLES) - {role}
        if other:
            raise ValidationError({"roles": _("三员分立：系统、安全、审计管理员不能由同一人兼任")})


@transaction.atomic
def create_staff(actor, *, institution: Institution, username: str, full_name: str, password: str,
                 roles: Iterable[str], title: str = "", title_name: str = "", phone: str = "",
                 department: Department | None = None, validate: bool = True,
                 must_change_password: bool | None = None, is_demo: bool = False):
    """A new staff account with its first membership and roles.

    The password an administrator types is an initial one: the new user must change it at first login
    (``must_change_password``; by default whenever a person creates the account, ``actor`` not None).
    Demo accounts are flagged ``is_demo`` and skip the forced change only while YIGONGTI_DEMO=1."""
    require(can_manage_institution(actor, institution))
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已被使用")})
    if must_change_password is None:
        must_change_password = actor is not None
    user = User(username=username, full_name=full_name, title=title, title_name=title_name, phone=phone,
                must_change_password=must_change_password, is_demo=is_demo)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    add_membership(actor, user=user, institution=institution, roles=roles, department=department, is_primary=True)
    _audit(actor, "create", user, None, {"username": username, "full_name": full_name, "phone": phone,
                                         "title": title}, institution_id=institution.pk)
    return user


@transaction.atomic
def reset_password(actor, user, *, password: str, validate: bool = True):
    """An administrator sets a new initial password for a staff member who lost theirs: the user must
    change it at the next login, every open session of theirs ends. Nobody resets their own password here
    (they use the change-password page), and only who may grant a user's roles may reset their password."""
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied
    memberships = list(Membership.objects.filter(user=user).select_related("institution"))
    require(actor is None or (bool(memberships) and
                              any(can_manage_institution(actor, m.institution) for m in memberships)))
    held = set(StaffRole.objects.filter(membership__user=user).values_list("role", flat=True))
    if held & (SEPARATED_ADMIN_ROLES | {Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU}) or user.is_superuser:
        require(can_edit_structure(actor))
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _end_sessions_of(user)
    institution_id = next((m.institution_id for m in memberships if m.is_primary), None)
    _audit(actor, "update", user, {"must_change_password": False}, {"must_change_password": True,
                                                                    "password": "reset"},
           institution_id=institution_id)
    return user


def _end_sessions_of(user) -> int:
    """End the user's sessions known from their login history (Django also refuses a session whose
    password hash is stale; deleting the rows makes it immediate and visible)."""
    from django.contrib.sessions.models import Session

    from .models import LoginEvent, LoginEventKind

    keys = LoginEvent.objects.filter(user=user, kind=LoginEventKind.LOGIN).exclude(session_key="") \
        .values_list("session_key", flat=True)
    deleted, _n = Session.objects.filter(session_key__in=list(keys)).delete()
    return deleted


@transaction.atomic
def add_membership(actor, *, user, institution: Institution, roles: Iterable[str] = (),
                   department: Department | None = None, is_primary: bool = False,
                   start_date: dt.date | None = None, end_date: dt.date | None = None) -> Membership:
    """Place a user at an institution (a second one for seconded staff and 1+1+N teams)."""
    require(can_manage_institution(actor, institution))
    _not_self(actor, user)
    if department is not None and department.institution_id != institution.pk:
        raise ValidationError({"department": _("科室不属于该机构")})
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("结束日期早于开始日期")})
    membership, created = Membership.objects.get_or_create(
        user=user, institution=institution,
        defaults={"department": department, "is_primary": is_primary, "start_date": start_date,
                  "end_date": end_date},
    )
    if not created:
        raise ValidationError({"institution": _("该人员已在此机构任职")})
    for role in roles:
        assign_role(actor, membership, role)
    _audit(actor, "create", membership, None, {"user_id": user.pk, "institution_id": institution.pk,
                                               "department_id": membership.department_id},
           institution_id=institution.pk)
    return membership


@transaction.atomic
def end_membership(actor, membership: Membership, *, end_date: dt.date) -> Membership:
    require(can_manage_institution(actor, membership.institution))
    before = {"end_date": membership.end_date}
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    _audit(actor, "update", membership, before, {"end_date": end_date}, institution_id=membership.institution_id)
    return membership


def _not_self(actor, user) -> None:
    """Nobody grants or takes roles of their own (issue 16: no role escalation); another administrator does."""
    if actor is not None and getattr(user, "pk", user) == actor.pk:
        raise PermissionDenied


@transaction.atomic
def assign_role(actor, membership: Membership, role: str) -> StaffRole:
    require(can_manage_institution(actor, membership.institution))
    _not_self(actor, membership.user_id)
    _check_role_grant(actor, membership.institution, role, membership.user)
    staff_role, created = StaffRole.objects.get_or_create(membership=membership, role=role)
    if created:
        _audit(actor, "create", staff_role, None, {"membership_id": membership.pk, "role": role},
               institution_id=membership.institution_id)
    return staff_role


@transaction.atomic
def revoke_role(actor, membership: Membership, role: str) -> None:
    require(can_manage_institution(actor, membership.institution))
    _not_self(actor, membership.user_id)
    if role in SEPARATED_ADMIN_ROLES:
        require(can_edit_structure(actor))
    deleted, _n = StaffRole.objects.filter(membership=membership, role=role).delete()
    if deleted:
        _audit(actor, "delete", membership, {"role": role}, None, institution_id=membership.institution_id)


# --- denominators ---------------------------------------------------------------------------------------


@transaction.atomic
def set_denominator(actor, *, area: Area, year: int, sex: str, age_band: str, resident: int,
                    registered: int) -> PopulationDenominator:
    require(can_edit_denominators(actor))
    errors = {}
    if resident < 0:
        errors["resident"] = _("人口数不能为负数")
    if registered < 0:
        errors["registered"] = _("人口数不能为负数")
    if not 1949 <= year <= 2100:
        errors["year"] = _("年度不正确")
    if errors:
        raise ValidationError(errors)
    row, created = PopulationDenominator.objects.get_or_create(
        area=area, year=year, sex=sex, age_band=age_band, defaults={"resident": resident, "registered": registered})
    before = None if created else {"resident": row.resident, "registered": row.registered}
    if not created and (row.resident, row.registered) != (resident, registered):
        row.resident, row.registered = resident, registered
        row.save(update_fields=["resident", "registered", "updated_at"])
    _audit(actor, "create" if created else "update", row, before,
           {"resident": resident, "registered": registered})
    events.publish(events.DenominatorsChanged(area_id=area.pk, year=year))
    return row


@transaction.atomic
def set_year_figures(actor, *, area: Area, year: int, live_births: int, insured_employee: int,
                     insured_resident: int) -> AreaYearFigures:
    require(can_edit_denominators(actor))
    if min(live_births, insured_employee, insured_resident) < 0:
        raise ValidationError({"live_births": _("人数不能为负数")})
    row, created = AreaYearFigures.objects.get_or_create(area=area, year=year)
    before = None if created else _snapshot(row, ["live_births", "insured_employee", "insured_resident"])
    row.live_births, row.insured_employee, row.insured_resident = live_births, insured_employee, insured_resident
    row.save()
    _audit(actor, "create" if created else "update", row, before,
           _snapshot(row, ["live_births", "insured_employee", "insured_resident"]))
    events.publish(events.DenominatorsChanged(area_id=area.pk, year=year))
    return row
