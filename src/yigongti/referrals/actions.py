"""Every change to a referral: one function per step, each with its validation, the check that the actor may
act for the institution the step belongs to, the transaction, the audit entry and a to-do for whoever acts
next (tasks.actions.create_task).

    r = create_referral(doctor, from_institution=centre, to_institution=hospital, resident=p,
                        reason="difficult", primary_diagnosis="S66.300", condition_summary="…",
                        consent=True, consent_by="本人")
    attach_recent_results(doctor, r)            # exams, encounters (and chronic follow-ups) in one click
    submit_referral(doctor, r)                  # → submitted, or pending_approval where the head approves
    approve_referral(head, r, opinion="同意")
    accept_referral(desk, r, reserve_bed=True, appointment_at=…, doctor=specialist)
    receive_referral(desk, r)                   # 接诊: single use within the validity window
    complete_referral(specialist, r, return_diagnosis="S66.300", return_plan="…")   # 回转单 to the sender
    reject_referral(desk, r, reason="…")        cancel_referral(doctor, r, reason="…")
    file_outside(doctor, institution=hospital, resident=p, destination="省人民医院", …)   # 转外就医备案

The transitions are the table in rules/referral.py; "expired" is derived from ``valid_until`` (never stored).
Contested rows — the referral's own status and a reserved bed — are taken with a conditional UPDATE whose
row count is checked, and on PostgreSQL the beds are also locked with select_for_update() in id order
(design: concurrency recipe). Bad input raises ValidationError with field-level Chinese messages; acting
for an institution the actor is not a member of raises PermissionDenied.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti import events
from yigongti.api.errors import StaleEdit
from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for
from yigongti.org.models import Department, Institution, ReservedBed, Role, Tier
from yigongti.people.models import Icd10Code, RecordStatus, Resident
from yigongti.rules import referral as rules
from yigongti.tasks.actions import create_task, group_resolvers
from yigongti.tasks.models import Task, TaskState

from . import conf
from .models import (
    Attachment,
    AttachmentKind,
    CatalogEntry,
    CatalogKind,
    DeductibleRate,
    FilingReason,
    GradeLevel,
    OutsideFiling,
    Policy,
    Reason,
    Referral,
    ReferralType,
    Sequence,
    Status,
)

# Roles that write, receive and treat referrals (clinical staff; the consortium office and the three
# administrators watch, they do not act).
CLINICAL_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                            Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.MENTAL_HEALTH, Role.HIV_CARE})
# Who gets the to-do at a receiving institution, by its tier.
DESK_ROLE = {Tier.COUNTY: Role.COUNTY_SPECIALIST, Tier.TOWNSHIP: Role.TOWNSHIP_DOCTOR,
             Tier.VILLAGE: Role.VILLAGE_DOCTOR}

ACTION_LABELS = {rules.SUBMIT: _("提交"), rules.APPROVE: _("审核"), rules.ACCEPT: _("接收"), rules.REJECT: _("拒绝"),
                 rules.RECEIVE: _("接诊"), rules.COMPLETE: _("回转"), rules.CANCEL: _("撤销")}

DRAFT_FIELDS = ("referral_type", "reason", "reason_detail", "from_department", "to_department", "primary_diagnosis",
                "other_diagnoses", "diagnosis_text", "tcm_diagnosis", "condition_summary", "history",
                "treatment_so_far", "treatment_advice", "doctor_opinion", "consent", "consent_by",
                "consent_relation", "justification")
RETURN_FIELDS = ("return_diagnosis", "return_diagnosis_text", "inpatient_number", "return_results",
                 "return_treatment", "return_plan")
SNAPSHOT_FIELDS = ("number", "status", "direction", "referral_type", "reason", "resident_id", "from_institution_id",
                   "to_institution_id", "to_department_id", "to_doctor_id", "primary_diagnosis", "questionable",
                   "valid_from", "valid_until", "appointment_at", "bed_id", "bed_hold_until", "reject_reason",
                   "cancel_reason", "return_diagnosis")


class StaleVersion(StaleEdit):
    """The draft changed since the caller read it: the API answers 409."""


# --- helpers -----------------------------------------------------------------------------------------


def _snapshot(r: Referral) -> dict:
    out = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(r, name)
        out[name] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
    return out


def _audit(actor, r: Referral, before: dict | None, *, reason: str, institution_id: int) -> None:
    record_change(actor, action="create" if before is None else "update", subject=r, before=before,
                  after=_snapshot(r), institution_id=institution_id, reason=reason)


def _err(field: str, message, code: str = "invalid", **params) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def may_act(user, institution_id: int | None) -> bool:
    """May ``user`` act on referrals in the name of this institution (a clinical role held there)?"""
    return user is None or can_act_for(user, institution_id, CLINICAL_ROLES)


def _require(user, institution_id: int | None, message) -> None:
    if not may_act(user, institution_id):
        raise PermissionDenied(message)


def is_head_for(user, r: Referral) -> bool:
    """The sending department's head, or a 科主任 of the sending institution."""
    if user is None:
        return True
    if r.from_department_id and Department.objects.filter(pk=r.from_department_id, head=user).exists():
        return can_act_for(user, r.from_institution_id)
    return can_act_for(user, r.from_institution_id, {Role.DEPARTMENT_HEAD})


def china_today() -> dt.date:
    return timezone.localdate()


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in China time (the validity window includes its last day)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()),
                               timezone.get_default_timezone())


def needs_approval(institution_id: int) -> bool:
    return Policy.objects.filter(institution_id=institution_id, requires_head_approval=True).exists()


def _step(actor, r: Referral, action: str) -> str:
    """The state ``action`` leads to, or a ValidationError naming why not (table: rules/referral.py)."""
    state = r.effective_status(china_today())
    try:
        return rules.next_state(state, action, needs_approval=needs_approval(r.from_institution_id))
    except rules.TransitionError as exc:
        if exc.code == rules.EXPIRED_REFUSED:
            raise _err("status", _("转诊单已过有效期（%(until)s），请重新开具转诊单。"), "expired",
                       until=r.valid_until.isoformat() if r.valid_until else "") from None
        label = Status(r.status).label if r.status in Status.values else r.status
        raise _err("status", _("转诊单当前状态为“%(state)s”，不能%(action)s。"), "illegal_transition",
                   state=label, action=ACTION_LABELS.get(action, action)) from None


def _check_actor(actor, r: Referral, action: str) -> None:
    who = rules.ACTOR_OF[action]
    if who == rules.SENDER:
        _require(actor, r.from_institution_id, _("只有转出机构的医务人员可以办理此操作。"))
    elif who == rules.RECEIVER:
        _require(actor, r.to_institution_id, _("只有接诊机构的医务人员可以办理此操作。"))
        if actor is not None and action == rules.ACCEPT and r.referring_doctor_id == actor.pk:
            raise PermissionDenied(_("转诊医生不能接收自己开具的转诊单。"))
    elif not is_head_for(actor, r):
        raise PermissionDenied(_("只有转出科室的科主任可以审核。"))


def _move(r: Referral, from_state: str, to_state: str, **fields) -> None:
    """Claim the transition with a conditional UPDATE on the stored status (both databases): 0 rows means
    somebody else moved the referral first."""
    updated = Referral.objects.filter(pk=r.pk, status=from_state).update(
        status=to_state, version=F("version") + 1, updated_at=timezone.now(), **fields)
    if updated != 1:
        raise _err("status", _("该转诊单刚被他人处理，请刷新后查看。"), "conflict")
    r.refresh_from_db()


def _url(r: Referral) -> str:
    return reverse("referrals:detail", args=[r.pk])


def close_tasks(r: Referral, actor=None) -> None:
    """The to-dos about this referral are done once it moves on (the step that was waited for happened)."""
    Task.objects.filter(source_type=Referral._meta.label, source_id=str(r.pk), state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=actor if getattr(actor, "is_authenticated", False) else None,
        completed_at=timezone.now())


def _task_for_receiver(r: Referral, title, actor, due_at=None) -> None:
    if r.to_doctor_id:
        create_task(title=title, kind="referral", assignee=r.to_doctor, source=r, source_url=_url(r),
                    created_by=actor, due_at=due_at)
        return
    role = DESK_ROLE.get(r.to_institution.tier, Role.TOWNSHIP_DOCTOR)
    create_task(title=title, kind="referral", role=role, institution=r.to_institution, source=r, source_url=_url(r),
                created_by=actor, due_at=due_at)


def _task_for_sender(r: Referral, title, actor) -> None:
    if r.referring_doctor_id:
        create_task(title=title, kind="referral", assignee=r.referring_doctor, source=r, source_url=_url(r),
                    created_by=actor)
    else:
        role = DESK_ROLE.get(r.from_institution.tier, Role.TOWNSHIP_DOCTOR)
        create_task(title=title, kind="referral", role=role, institution=r.from_institution, source=r,
                    source_url=_url(r), created_by=actor)


def _task_for_head(r: Referral, actor) -> None:
    title = _("审核转诊单 %(number)s（%(name)s）") % {"number": r.number, "name": r.resident.name}
    head = r.from_department.head if r.from_department_id else None
    if head is not None:
        create_task(title=title, kind="referral", assignee=head, source=r, source_url=_url(r), created_by=actor)
    else:
        create_task(title=title, kind="referral", role=Role.DEPARTMENT_HEAD, institution=r.from_institution,
                    source=r, source_url=_url(r), created_by=actor)


def _next_number(institution: Institution, on: dt.date) -> str:
    """Seed 000's format (rules.referral_number): the serial of the institution's year, claimed with an
    UPDATE … SET last = last + 1 on its sequence row (the row lock serialises concurrent writers)."""
    try:
        with transaction.atomic():
            Sequence.objects.get_or_create(institution=institution, year=on.year)
    except IntegrityError:  # created by a concurrent writer: use theirs
        pass
    Sequence.objects.filter(institution=institution, year=on.year).update(last=F("last") + 1)
    serial = Sequence.objects.filter(institution=institution, year=on.year).values_list("last", flat=True).get()
    return rules.referral_number(institution.code, on.year, serial)


_ICD_RE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$", re.I)


def _icd(code: str) -> str | None:
    """The catalogue's spelling of ``code`` (people.Icd10Code, the one disease catalogue), or None."""
    code = (code or "").strip()
    if not code:
        return None
    return Icd10Code.objects.filter(code__iexact=code, active=True).values_list("code", flat=True).first()


def catalog_codes(kind: str, grade_level: str = "") -> list[str]:
    return list(CatalogEntry.objects.filter(kind=kind, grade_level=grade_level, active=True)
                .values_list("code", flat=True))


def questionable_entry(r: Referral) -> str | None:
    """The entry of the sender's first-diagnosis catalog the referral's diagnosis falls under (up only)."""
    if r.direction != rules.UP:
        return None
    level = rules.grade_level(r.from_institution.grade, r.from_institution.tier)
    entries = catalog_codes(CatalogKind.FIRST_DIAGNOSIS, level)
    return rules.on_catalog(r.primary_diagnosis, entries)


# --- validation ----------------------------------------------------------------------------------------


def _validate(data: dict, *, from_institution: Institution, to_institution: Institution, resident: Resident,
              errors: dict) -> None:
    if data.get("referral_type", ReferralType.OUTPATIENT) not in ReferralType.values:
        errors["referral_type"] = [ValidationError(_("请选择转诊类型（门诊或住院）。"), code="invalid")]
    if data.get("reason") not in Reason.values:
        errors["reason"] = [ValidationError(_("请选择转诊原因。"), code="required")]
    elif data["reason"] == Reason.OTHER and not (data.get("reason_detail") or "").strip():
        errors["reason_detail"] = [ValidationError(_("转诊原因为“其他”时请说明。"), code="required")]
    code = (data.get("primary_diagnosis") or "").strip()
    if not code:
        errors["primary_diagnosis"] = [ValidationError(_("请填写西医诊断（ICD-10编码）。"), code="required")]
    else:
        known = _icd(code)
        if known is None:
            errors["primary_diagnosis"] = [ValidationError(
                _("ICD-10编码 %(code)s 不在疾病分类目录中。"), code="unknown_icd", params={"code": code})]
        else:
            data["primary_diagnosis"] = known
    others = data.get("other_diagnoses") or []
    if not isinstance(others, (list, tuple)):
        others = [c for c in re.split(r"[\s,，、;；]+", str(others)) if c]
    fixed, bad = [], []
    for c in others:
        known = _icd(str(c))
        (fixed if known else bad).append(known or str(c))
    if bad:
        errors["other_diagnoses"] = [ValidationError(
            _("以下编码不在疾病分类目录中：%(codes)s"), code="unknown_icd", params={"codes": "、".join(bad)})]
    data["other_diagnoses"] = fixed
    for name, inst in (("from_department", from_institution), ("to_department", to_institution)):
        dep = data.get(name)
        if dep is not None and dep.institution_id != inst.pk:
            errors[name] = [ValidationError(_("科室不属于该机构。"), code="other_institution")]
    for name, limit in (("reason_detail", 200), ("diagnosis_text", 200), ("tcm_diagnosis", 200),
                        ("doctor_opinion", 200), ("consent_by", 40), ("consent_relation", 20)):
        if len(data.get(name) or "") > limit:
            errors[name] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": limit})]
    for name in ("condition_summary", "history", "treatment_so_far", "treatment_advice", "justification"):
        if len(data.get(name) or "") > 4000:
            errors[name] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": 4000})]


def _check_parties(actor, from_institution: Institution, to_institution: Institution, resident: Resident) -> str:
    errors: dict = {}
    if from_institution.pk == to_institution.pk:
        errors["to_institution"] = [ValidationError(_("接诊机构不能与转诊机构相同。"), code="same_institution")]
    elif not to_institution.active:
        errors["to_institution"] = [ValidationError(_("接诊机构已停用。"), code="inactive")]
    if resident.status != RecordStatus.ACTIVE:
        errors["resident"] = [ValidationError(_("只能为在管档案开具转诊单（该档案：%(status)s）。"), code="not_active",
                                              params={"status": resident.get_status_display()})]
    _raise(errors)
    try:
        return rules.direction(from_institution.tier, to_institution.tier)
    except ValueError:
        raise _err("to_institution", _("该机构不接收转诊。"), "no_tier") from None


# --- the steps -----------------------------------------------------------------------------------------


def create_referral(actor, *, from_institution: Institution, to_institution: Institution, resident: Resident,
                    **fields) -> Referral:
    """A new referral form (草稿) written at ``from_institution`` by ``actor`` (the referring doctor)."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"create_referral: unknown fields {sorted(unknown)}")
    _require(actor, from_institution.pk, _("您不能以该机构的名义开具转诊单。"))
    direction = _check_parties(actor, from_institution, to_institution, resident)
    data = {"referral_type": ReferralType.OUTPATIENT, "doctor_opinion": "同意", **fields}
    errors: dict = {}
    _validate(data, from_institution=from_institution, to_institution=to_institution, resident=resident,
              errors=errors)
    _raise(errors)
    with transaction.atomic():
        r = Referral(number=_next_number(from_institution, china_today()), direction=direction,
                     resident=resident, insurance_scheme=resident.insurance_scheme,
                     from_institution=from_institution, to_institution=to_institution, referring_doctor=actor,
                     created_by=actor, status=Status.DRAFT)
        for name, value in data.items():
            setattr(r, name, value if value is not None else getattr(r, name))
        r.save()
        _audit(actor, r, None, reason="create", institution_id=from_institution.pk)
    return r


def update_referral(actor, r: Referral, expected_version: int | None, **fields) -> Referral:
    """Change a draft (the sender only). ``expected_version``: the version read (None: no check)."""
    unknown = set(fields) - set(DRAFT_FIELDS) - {"to_institution"}
    if unknown:
        raise TypeError(f"update_referral: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        r = Referral.objects.select_related("from_institution", "to_institution", "resident").get(pk=r.pk)
        _require(actor, r.from_institution_id, _("只有转出机构的医务人员可以修改转诊单。"))
        if r.status != Status.DRAFT:
            raise _err("status", _("只有草稿可以修改。"), "not_draft")
        to_institution = fields.pop("to_institution", None) or r.to_institution
        direction = _check_parties(actor, r.from_institution, to_institution, r.resident)
        data = {name: getattr(r, name) for name in DRAFT_FIELDS}
        data.update(fields)
        errors: dict = {}
        _validate(data, from_institution=r.from_institution, to_institution=to_institution, resident=r.resident,
                  errors=errors)
        _raise(errors)
        qs = Referral.objects.filter(pk=r.pk, status=Status.DRAFT)
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        if qs.update(version=F("version") + 1) != 1:
            raise StaleVersion()
        before = _snapshot(r)
        r.refresh_from_db(fields=["version"])
        r.to_institution, r.direction = to_institution, direction
        for name, value in data.items():
            setattr(r, name, value)
        r.save()
        _audit(actor, r, before, reason="edit", institution_id=r.from_institution_id)
    return r


def submit_referral(actor, r: Referral) -> Referral:
    """Send the form: the patient's consent and the diagnosis are required; an up-referral whose diagnosis is
    on the sender's first-diagnosis catalog needs a justification (and is counted as questionable). The
    validity window starts today (China time). The receiving desk — or first the department head, where
    the sending institution requires approval — gets a to-do."""
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.SUBMIT)
        target = _step(actor, r, rules.SUBMIT)
        errors: dict = {}
        if not r.consent or not r.consent_by.strip():
            errors["consent"] = [ValidationError(_("须有患者或家属同意转诊（签字人）。"), code="required")]
        if not r.condition_summary.strip():
            errors["condition_summary"] = [ValidationError(_("请填写病情介绍。"), code="required")]
        entry = questionable_entry(r)
        if entry and len(r.justification.strip()) < 4:
            errors["justification"] = [ValidationError(
                _("诊断属于本级首诊病种目录（%(entry)s），上转须说明理由（至少4个字）。"), code="questionable",
                params={"entry": entry})]
        _raise(errors)
        before = _snapshot(r)
        start, end = rules.validity_window(china_today(), conf.get("VALIDITY_DAYS"))
        _move(r, Status.DRAFT, target, submitted_at=timezone.now(), valid_from=start, valid_until=end,
              questionable=bool(entry), catalog_entry=entry or "")
        _audit(actor, r, before, reason=rules.SUBMIT, institution_id=r.from_institution_id)
        if target == Status.PENDING_APPROVAL:
            _task_for_head(r, actor)
        else:
            _task_for_receiver(r, _incoming_title(r), actor, due_at=_end_of_day(r.valid_until))
    return r


def _incoming_title(r: Referral) -> str:
    return _("%(direction)s转诊待接收：%(name)s（%(from)s，%(number)s）") % {
        "direction": r.get_direction_display(), "name": r.resident.name,
        "from": r.from_institution.short_name or r.from_institution.name, "number": r.number}


def approve_referral(actor, r: Referral, opinion: str = "同意") -> Referral:
    """科主任意见: the sending department head lets the referral go out."""
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.APPROVE)
        target = _step(actor, r, rules.APPROVE)
        opinion = (opinion or "").strip() or "同意"
        if len(opinion) > 200:
            raise _err("head_opinion", _("不能超过 %(n)s 个字。"), "too_long", n=200)
        before = _snapshot(r)
        _move(r, Status.PENDING_APPROVAL, target, head_opinion=opinion, head=actor, approved_at=timezone.now())
        _audit(actor, r, before, reason=rules.APPROVE, institution_id=r.from_institution_id)
        close_tasks(r, actor)
        _task_for_receiver(r, _incoming_title(r), actor, due_at=_end_of_day(r.valid_until))
    return r


def _locked(r: Referral) -> Referral:
    qs = Referral.objects.select_related("from_institution", "to_institution", "resident", "from_department",
                                         "to_department", "referring_doctor", "to_doctor")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=r.pk)


def bed_ref(r: Referral) -> str:
    return f"{Referral._meta.label}:{r.pk}"


def _claim_bed(r: Referral, bed: ReservedBed | None, now: dt.datetime, hold_until: dt.datetime) -> ReservedBed:
    """Hold ``bed`` (or the first free reserved bed of the receiving institution) for ``r``: a conditional
    UPDATE on the bed row that only succeeds while it is free (no holder, or its hold has passed); the row
    count says who won. On PostgreSQL the candidate rows are locked first, in id order."""
    free = Q(hold_until__isnull=True) | Q(hold_until__lte=now)
    if bed is not None:
        if bed.institution_id != r.to_institution_id or not bed.active:
            raise _err("bed", _("该床位不属于接诊机构的预留床位。"), "other_institution")
        candidates = [bed.pk]
    else:
        candidates = list(ReservedBed.objects.filter(institution_id=r.to_institution_id, active=True)
                          .filter(free).order_by("pk").values_list("pk", flat=True))
    if candidates and connection.features.has_select_for_update:
        list(ReservedBed.objects.select_for_update().filter(pk__in=candidates).order_by("pk").values_list("pk"))
    for pk in candidates:
        taken = ReservedBed.objects.filter(pk=pk, active=True).filter(free).update(
            holder_label=f"转诊 {r.number}"[:60], holder_ref=bed_ref(r), hold_until=hold_until)
        if taken == 1:
            return ReservedBed.objects.get(pk=pk)
    if bed is not None:
        raise _err("bed", _("床位 %(label)s 已被占用，请选择其他床位。"), "bed_taken", label=bed.label)
    raise _err("bed", _("接诊机构暂无空闲的预留床位。"), "no_free_bed")


def release_bed(r: Referral) -> None:
    """Free the reserved bed this referral holds (only if it still holds it)."""
    if r.bed_id:
        ReservedBed.objects.filter(pk=r.bed_id, holder_ref=bed_ref(r)).update(
            holder_label="", holder_ref="", hold_until=None)


def accept_referral(actor, r: Referral, *, doctor=None, department: Department | None = None,
                    appointment_at: dt.datetime | None = None, reserve_bed: bool = False,
                    bed: ReservedBed | None = None, note: str = "", session=None) -> Referral:
    """The receiving institution takes the referral: an assigned doctor and department, an appointment time
    and/or a reserved bed (green channel), held for BED_HOLD_HOURS and never past the form's validity.

    The appointment books a slot through experts.actions (design "Shared concepts: appointments"): into
    ``session`` when given (its errors answer under "session"), else into the receiving institution's open
    session whose hours hold ``appointment_at``; the appointment time becomes the slot's time. Without a
    session to book into (or when that session has no slot left) the referral keeps its appointment time."""
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.ACCEPT)
        target = _step(actor, r, rules.ACCEPT)
        errors: dict = {}
        now = timezone.now()
        if department is not None and department.institution_id != r.to_institution_id:
            errors["department"] = [ValidationError(_("科室不属于接诊机构。"), code="other_institution")]
        if doctor is not None and not can_act_for(doctor, r.to_institution_id, CLINICAL_ROLES):
            errors["doctor"] = [ValidationError(_("接诊医生须为接诊机构的医务人员。"), code="other_institution")]
        if appointment_at is not None:
            if timezone.is_naive(appointment_at):
                appointment_at = timezone.make_aware(appointment_at)
            if appointment_at < now - dt.timedelta(minutes=5):
                errors["appointment_at"] = [ValidationError(_("预约时间不能早于现在。"), code="past")]
            elif appointment_at >= _end_of_day(r.valid_until):
                errors["appointment_at"] = [ValidationError(_("预约时间须在转诊单有效期（至 %(until)s）内。"),
                                                            code="after_validity",
                                                            params={"until": r.valid_until.isoformat()})]
        if len(note or "") > 200:
            errors["note"] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": 200})]
        _raise(errors)
        before = _snapshot(r)
        fields = {"accepted_at": now, "accepted_by": actor, "appointment_at": appointment_at,
                  "accept_note": (note or "").strip()}
        if doctor is not None:
            fields["to_doctor"] = doctor
        if department is not None:
            fields["to_department"] = department
        if reserve_bed or bed is not None:
            hold_until = min(now + dt.timedelta(hours=conf.get("BED_HOLD_HOURS")), _end_of_day(r.valid_until))
            held = _claim_bed(r, bed, now, hold_until)
            fields.update(bed=held, bed_hold_until=hold_until)
        _book_appointment(actor, r, session, fields)
        _move(r, Status.SUBMITTED, target, **fields)
        _audit(actor, r, before, reason=rules.ACCEPT, institution_id=r.to_institution_id)
        close_tasks(r, actor)
        due = r.appointment_at or r.bed_hold_until or _end_of_day(r.valid_until)
        _task_for_receiver(r, _("转诊患者待接诊：%(name)s（%(number)s）") % {"name": r.resident.name, "number": r.number},
                           actor, due_at=due)
    return r


def _book_appointment(actor, r: Referral, session, fields: dict) -> None:
    """Book a slot for the accepted referral (experts.actions); ``fields["appointment_at"]`` becomes its time."""
    from yigongti.experts import actions as experts

    if session is not None:
        try:
            booking = experts.book_for_referral(actor, session, resident=r.resident, referral_id=r.pk,
                                                institution_id=r.to_institution_id, valid_until=r.valid_until)
        except ValidationError as exc:
            raise ValidationError({"session": exc.messages}) from None
    elif fields.get("appointment_at") is not None:
        found = experts.session_at(r.to_institution_id, fields["appointment_at"])
        if found is None:
            return
        try:
            with transaction.atomic():
                booking = experts.book_for_referral(actor, found, resident=r.resident, referral_id=r.pk)
        except (ValidationError, PermissionDenied):
            return   # no slot left for this patient: the referral keeps its appointment time
    else:
        return
    fields["appointment_at"] = experts.slot_datetime(booking)


def reject_referral(actor, r: Referral, reason: str) -> Referral:
    """The receiving institution refuses, with the reason; the referring doctor gets a to-do."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _err("reason", _("请填写拒绝原因。"), "required")
    if len(reason) > 200:
        raise _err("reason", _("不能超过 %(n)s 个字。"), "too_long", n=200)
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.REJECT)
        target = _step(actor, r, rules.REJECT)
        before = _snapshot(r)
        _move(r, Status.SUBMITTED, target, reject_reason=reason, closed_at=timezone.now())
        release_bed(r)
        _audit(actor, r, before, reason=rules.REJECT, institution_id=r.to_institution_id)
        close_tasks(r, actor)
        _task_for_sender(r, _("转诊被拒绝：%(name)s（%(number)s）：%(reason)s") % {
            "name": r.resident.name, "number": r.number, "reason": reason}, actor)
    return r


def receive_referral(actor, r: Referral) -> Referral:
    """接诊: the patient arrived within the validity window (single use). The reserved bed's hold ends: the
    patient is admitted to the ward (the hospital's HIS takes over) and the bed goes back to the pool."""
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.RECEIVE)
        target = _step(actor, r, rules.RECEIVE)
        before = _snapshot(r)
        fields = {"received_at": timezone.now()}
        if r.to_doctor_id is None and actor is not None:
            fields["to_doctor"] = actor
        _move(r, Status.ACCEPTED, target, **fields)
        release_bed(r)
        _audit(actor, r, before, reason=rules.RECEIVE, institution_id=r.to_institution_id)
        close_tasks(r, actor)
        _task_for_receiver(r, _("填写回转单：%(name)s（%(number)s）") % {"name": r.resident.name, "number": r.number},
                           actor)
        if r.direction == rules.DOWN:
            _down_referral_lands(actor, r)
    return r


def complete_referral(actor, r: Referral, **fields) -> Referral:
    """回转单: the diagnosis found, the inpatient record number, the main results, the treatment and the plan
    go back to the referring doctor (a to-do) and onto the shared record (timeline)."""
    unknown = set(fields) - set(RETURN_FIELDS)
    if unknown:
        raise TypeError(f"complete_referral: unknown fields {sorted(unknown)}")
    data = {k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in fields.items()}
    errors: dict = {}
    code = data.get("return_diagnosis", "")
    if code:
        known = _icd(code)
        if known is None:
            errors["return_diagnosis"] = [ValidationError(_("ICD-10编码 %(code)s 不在疾病分类目录中。"),
                                                          code="unknown_icd", params={"code": code})]
        else:
            data["return_diagnosis"] = known
    if not (data.get("return_plan") or "").strip():
        errors["return_plan"] = [ValidationError(_("请填写下一步治疗方案及康复建议。"), code="required")]
    for name, limit in (("return_diagnosis_text", 200), ("inpatient_number", 40)):
        if len(data.get(name) or "") > limit:
            errors[name] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": limit})]
    _raise(errors)
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.COMPLETE)
        target = _step(actor, r, rules.COMPLETE)
        before = _snapshot(r)
        _move(r, Status.RECEIVED, target, completed_at=timezone.now(), **data)
        _audit(actor, r, before, reason=rules.COMPLETE, institution_id=r.to_institution_id)
        close_tasks(r, actor)
        _task_for_sender(r, _("转诊结果已回转：%(name)s（%(number)s）") % {"name": r.resident.name, "number": r.number},
                         actor)
    return r


def cancel_referral(actor, r: Referral, reason: str = "") -> Referral:
    """The sender withdraws the referral (before the patient is received); a held bed is freed."""
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise _err("reason", _("不能超过 %(n)s 个字。"), "too_long", n=200)
    with transaction.atomic():
        r = _locked(r)
        _check_actor(actor, r, rules.CANCEL)
        target = _step(actor, r, rules.CANCEL)
        before = _snapshot(r)
        was_sent = r.status in (Status.SUBMITTED, Status.ACCEPTED)
        _move(r, r.status, target, cancel_reason=reason, closed_at=timezone.now())
        release_bed(r)
        from yigongti.experts.actions import cancel_for_referral

        cancel_for_referral(r.pk, reason)
        _audit(actor, r, before, reason=rules.CANCEL, institution_id=r.from_institution_id)
        close_tasks(r, actor)
        if was_sent:
            _task_for_receiver(r, _("转诊已撤销：%(name)s（%(number)s）") % {"name": r.resident.name, "number": r.number},
                               actor)
    return r


# --- attach results from the shared record ---------------------------------------------------------------


def _exam_summary(x) -> str:
    parts = []
    if x.systolic_left or x.systolic_right:
        parts.append(str(_("血压 %(s)s/%(d)s mmHg") % {"s": x.systolic_left or x.systolic_right,
                                                        "d": x.diastolic_left or x.diastolic_right}))
    if x.fasting_glucose is not None:
        parts.append(str(_("空腹血糖 %(g)s mmol/L") % {"g": x.fasting_glucose}))
    if x.total_cholesterol is not None:
        parts.append(str(_("总胆固醇 %(v)s mmol/L") % {"v": x.total_cholesterol}))
    if x.bmi is not None:
        parts.append(f"BMI {x.bmi}")
    if x.ecg_summary:
        parts.append(str(_("心电图：%(v)s") % {"v": x.ecg_summary}))
    if x.ultrasound_summary:
        parts.append(str(_("B超：%(v)s") % {"v": x.ultrasound_summary}))
    return "；".join(parts)[:400]


def _encounter_summary(e, names: dict) -> tuple[str, str]:
    title = f"{e.get_kind_display()} {e.primary_diagnosis} {names.get(e.primary_diagnosis, '')}".strip()
    parts = []
    if e.systolic:
        parts.append(str(_("血压 %(s)s/%(d)s mmHg") % {"s": e.systolic, "d": e.diastolic or "-"}))
    if e.fasting_glucose is not None:
        parts.append(str(_("空腹血糖 %(g)s mmol/L") % {"g": e.fasting_glucose}))
    if e.discharge_date:
        parts.append(str(_("出院 %(d)s") % {"d": e.discharge_date.isoformat()}))
    if e.other_diagnoses:
        parts.append(str(_("其他诊断 %(codes)s") % {"codes": "、".join(map(str, e.other_diagnoses))}))
    return title[:120], "；".join(parts)[:400]


def _chronic_followups(actor, resident_id: int, since: dt.date) -> list[dict]:
    """Chronic-programme follow-ups through the chronic app's queries, when that app is there:
    ``recent_followups(user, resident_id, since)`` → [{"id", "date", "title", "summary", "institution",
    "medications"}] if it offers one, else its scoped ``visible_visits(user)`` read here."""
    try:
        from yigongti.chronic import queries as chronic_queries
    except ImportError:
        return []
    fn = getattr(chronic_queries, "recent_followups", None)
    if fn is not None:
        return list(fn(actor, resident_id, since))
    visits = getattr(chronic_queries, "visible_visits", None)
    if visits is None or actor is None:
        return []
    out = []
    for v in (visits(actor).filter(resident_id=resident_id, visit_date__gte=since).select_related("institution")
              .order_by("-visit_date", "-pk")[:10]):
        parts = []
        if getattr(v, "systolic", None):
            parts.append(str(_("血压 %(s)s/%(d)s mmHg") % {"s": v.systolic, "d": v.diastolic or "-"}))
        if getattr(v, "fasting_glucose", None) is not None:
            parts.append(str(_("空腹血糖 %(g)s mmol/L") % {"g": v.fasting_glucose}))
        if getattr(v, "weight", None) is not None:
            parts.append(str(_("体重 %(w)s kg") % {"w": v.weight}))
        programme = v.get_programme_display() if hasattr(v, "get_programme_display") else ""
        out.append({"id": v.pk, "date": v.visit_date, "title": str(_("%(programme)s随访") % {"programme": programme}),
                    "summary": "；".join(parts), "medications": list(getattr(v, "medications", None) or []),
                    "institution": v.institution.short_name or v.institution.name})
    return out


def _medication_text(medications: list) -> str:
    rows = []
    for m in medications:
        if isinstance(m, dict):
            rows.append(" ".join(str(m.get(k, "")).strip() for k in ("drug", "dose", "times") if m.get(k)))
        else:
            rows.append(str(m))
    return "；".join(r for r in rows if r)[:400]


def attach_recent_results(actor, r: Referral) -> int:
    """One click: copy the resident's recent exams, encounters and chronic follow-ups the actor may see from
    the shared record onto the form (each once). Returns how many were attached."""
    from yigongti.people.queries import visible_encounters, visible_exams

    with transaction.atomic():
        r = _locked(r)
        _require(actor, r.from_institution_id, _("只有转出机构的医务人员可以附加检查结果。"))
        if r.status not in (Status.DRAFT, Status.PENDING_APPROVAL, Status.SUBMITTED):
            raise _err("status", _("转诊单已被接收或已结束，不能再附加结果。"), "closed")
        since = china_today() - dt.timedelta(days=conf.get("RECENT_RESULTS_DAYS"))
        have = set(Attachment.objects.filter(referral=r, source_id__isnull=False).values_list("kind", "source_id"))
        new: list[Attachment] = []
        exams = visible_exams(actor) if actor is not None else r.resident.exams.all()
        for x in (exams.filter(resident_id=r.resident_id, exam_date__gte=since)
                  .select_related("institution").order_by("-exam_date", "-pk")[:5]):
            if (AttachmentKind.EXAM, x.pk) not in have:
                new.append(Attachment(referral=r, kind=AttachmentKind.EXAM, source_id=x.pk, date=x.exam_date,
                                      title=str(_("健康体检")), summary=_exam_summary(x),
                                      institution_name=x.institution.short_name or x.institution.name))
        encs = visible_encounters(actor) if actor is not None else r.resident.encounters.all()
        rows = list(encs.filter(resident_id=r.resident_id, visit_date__gte=since)
                    .select_related("institution").order_by("-visit_date", "-pk")[:10])
        names = dict(Icd10Code.objects.filter(code__in={e.primary_diagnosis for e in rows})
                     .values_list("code", "name"))
        for e in rows:
            if (AttachmentKind.ENCOUNTER, e.pk) not in have:
                title, summary = _encounter_summary(e, names)
                new.append(Attachment(referral=r, kind=AttachmentKind.ENCOUNTER, source_id=e.pk, date=e.visit_date,
                                      title=title, summary=summary,
                                      institution_name=e.institution.short_name or e.institution.name))
        followups = _chronic_followups(actor, r.resident_id, since)[:10]
        for f in followups:
            if (AttachmentKind.FOLLOWUP, f.get("id")) not in have:
                new.append(Attachment(referral=r, kind=AttachmentKind.FOLLOWUP, source_id=f.get("id"),
                                      date=f["date"], title=str(f.get("title", ""))[:120],
                                      summary=str(f.get("summary", ""))[:400],
                                      institution_name=str(f.get("institution", ""))[:100]))
        # 主要用药情况: the medication list of the latest follow-up that has one.
        latest = next((f for f in followups if f.get("medications")), None)
        if latest is not None and (AttachmentKind.MEDICATION, latest.get("id")) not in have:
            new.append(Attachment(referral=r, kind=AttachmentKind.MEDICATION, source_id=latest.get("id"),
                                  date=latest["date"], title=str(_("主要用药情况")),
                                  summary=_medication_text(latest["medications"]),
                                  institution_name=str(latest.get("institution", ""))[:100]))
        Attachment.objects.bulk_create(new)
        if new:
            record_change(actor, action="update", subject=r, before=None,
                          after={"attached": [f"{a.kind}:{a.source_id}" for a in new]},
                          institution_id=r.from_institution_id, reason="attach")
    return len(new)


# --- closed loop ---------------------------------------------------------------------------------------------


def _team_of(resident_id: int):
    """The resident's family-doctor team id through familydoctor.queries (None when that app or the team
    resolver is not there)."""
    if "team" not in group_resolvers():
        return None
    try:
        from yigongti.familydoctor.queries import team_for_residents
    except ImportError:
        return None
    found = team_for_residents([resident_id])
    team = found.get(resident_id) if isinstance(found, dict) else None
    if team is None:
        return None
    if isinstance(team, dict):  # familydoctor.queries: {"team_id", "team_name", "doctor_id"}
        return team.get("team_id")
    return team if isinstance(team, int) else getattr(team, "pk", None)


def _managing_clinic(resident: Resident) -> Institution | None:
    """The primary institution that looks after the resident: the village clinic serving their village,
    else their township centre, else the institution that keeps their record."""
    for tier in (Tier.VILLAGE, Tier.TOWNSHIP):
        inst = (Institution.objects.filter(active=True, tier=tier, service_areas__isnull=False)
                .filter(Q(service_areas=resident.area_id) | Q(service_areas__in=_ancestors(resident)))
                .order_by("pk").first())
        if inst is not None:
            return inst
    return resident.managing_institution


def _ancestors(resident: Resident) -> list[int]:
    from yigongti.org.models import Area

    codes = [c for c in resident.area.path.split("/") if c]
    return list(Area.objects.filter(code__in=codes).values_list("pk", flat=True))


def _down_referral_lands(actor, r: Referral) -> None:
    """A down-referred patient lands as a to-do for their family-doctor team (fallback: the managing clinic's
    doctors) and is enrolled in the matching chronic programme when the diagnosis fits and the chronic app
    offers enrolment."""
    title = _("下转患者随访管理：%(name)s（%(diagnosis)s，自%(from)s下转）") % {
        "name": r.resident.name, "diagnosis": r.primary_diagnosis,
        "from": r.from_institution.short_name or r.from_institution.name}
    team = _team_of(r.resident_id)
    if team is not None:
        create_task(title=title, kind="referral_down", group=("team", team), source=r, source_url=_url(r),
                    created_by=actor)
    else:
        clinic = _managing_clinic(r.resident)
        if clinic is not None:
            create_task(title=title, kind="referral_down", role=DESK_ROLE.get(clinic.tier, Role.TOWNSHIP_DOCTOR),
                        institution=clinic, source=r, source_url=_url(r), created_by=actor)
    _enrol_in_programme(actor, r)


# Programmes a down-referral enrols in directly (rules/icd10.py codes → the chronic app's programme codes);
# severe mental disorders and TB need their own notification and forms: a to-do asks the desk to enrol.
DIRECT_PROGRAMMES = {"hypertension": "hypertension", "diabetes": "diabetes"}
ASSESS_PROGRAMMES = {"smi": "mental", "tb": "tb"}


def _enrol_in_programme(actor, r: Referral) -> None:
    """When the diagnosis is a programme code, enrol the patient at the receiving institution through
    chronic.actions (``enrol_from_referral`` if the chronic app offers one, else its ``enrol``), unless already
    enrolled; where enrolment needs more than the referral says, the receiving desk gets a to-do instead."""
    from yigongti.rules.icd10 import programme_of

    programme = programme_of(r.primary_diagnosis)
    if programme is None:
        return
    try:
        from yigongti.chronic import actions as chronic_actions
    except ImportError:
        return
    hook = getattr(chronic_actions, "enrol_from_referral", None)
    if hook is not None:
        hook(actor, resident=r.resident, programme=programme, institution=r.to_institution,
             diagnosis=r.primary_diagnosis, source=r)
        return
    enrol = getattr(chronic_actions, "enrol", None)
    if enrol is None or (programme not in DIRECT_PROGRAMMES and programme not in ASSESS_PROGRAMMES):
        return
    if programme in DIRECT_PROGRAMMES:
        try:
            with transaction.atomic():
                enrol(actor, resident=r.resident, programme=DIRECT_PROGRAMMES[programme],
                      managing_institution=r.to_institution,
                      managing_doctor=actor if actor is not None and may_act(actor, r.to_institution_id) else None,
                      icd10_code=r.primary_diagnosis, diagnosing_institution=r.from_institution)
            return
        except ValidationError as exc:
            if "programme" in getattr(exc, "error_dict", {}):  # already in the programme
                return
        except PermissionDenied:
            pass
    create_task(title=_("下转患者待纳入慢病管理：%(name)s（%(diagnosis)s）") % {
        "name": r.resident.name, "diagnosis": r.primary_diagnosis}, kind="referral_down",
        role=DESK_ROLE.get(r.to_institution.tier, Role.TOWNSHIP_DOCTOR), institution=r.to_institution, source=r,
        source_url=_url(r), created_by=actor)


# --- 转外就医备案 -------------------------------------------------------------------------------------------


def file_outside(actor, *, institution: Institution, resident: Resident, destination: str,
                 destination_grade: str = "3", primary_diagnosis: str, reason: str, reason_detail: str,
                 filed_on: dt.date | None = None) -> OutsideFiling:
    """A referral out of the consortium: filed with its reason (for the insurance office), counted apart."""
    _require(actor, institution.pk, _("您不能以该机构的名义办理转外备案。"))
    errors: dict = {}
    destination = (destination or "").strip()
    if not destination:
        errors["destination"] = [ValidationError(_("请填写转往医院。"), code="required")]
    elif len(destination) > 100:
        errors["destination"] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": 100})]
    if destination_grade not in ("1", "2", "3"):
        errors["destination_grade"] = [ValidationError(_("请选择医院等级。"), code="invalid")]
    known = _icd(primary_diagnosis)
    if known is None:
        errors["primary_diagnosis"] = [ValidationError(_("ICD-10编码 %(code)s 不在疾病分类目录中。"),
                                                       code="unknown_icd", params={"code": primary_diagnosis or ""})]
    if reason not in FilingReason.values:
        errors["reason"] = [ValidationError(_("请选择转外原因。"), code="required")]
    reason_detail = (reason_detail or "").strip()
    if len(reason_detail) < 4:
        errors["reason_detail"] = [ValidationError(_("请说明转外就医的理由（至少4个字）。"), code="required")]
    elif len(reason_detail) > 200:
        errors["reason_detail"] = [ValidationError(_("不能超过 %(n)s 个字。"), code="too_long", params={"n": 200})]
    filed_on = filed_on or china_today()
    if filed_on > china_today():
        errors["filed_on"] = [ValidationError(_("备案日期不能晚于今天。"), code="future")]
    if resident.status != RecordStatus.ACTIVE:
        errors["resident"] = [ValidationError(_("只能为在管档案办理转外备案。"), code="not_active")]
    _raise(errors)
    with transaction.atomic():
        f = OutsideFiling.objects.create(
            number=_next_number(institution, filed_on), resident=resident, institution=institution, doctor=actor,
            destination=destination, destination_grade=destination_grade, primary_diagnosis=known,
            reason=reason, reason_detail=reason_detail, filed_on=filed_on)
        record_change(actor, action="create", subject=f, before=None,
                      after={"number": f.number, "destination": destination, "reason": reason,
                             "primary_diagnosis": known, "filed_on": filed_on.isoformat()},
                      institution_id=institution.pk)
    return f


# --- settings and catalogs (editable data) -------------------------------------------------------------------


def _require_office_or_admin(actor, institution_id: int | None = None) -> None:
    from yigongti.org.access import has_role

    if actor is None:
        return
    if has_role(actor, Role.CONSORTIUM_OFFICE):
        return
    if institution_id is not None and can_act_for(actor, institution_id, {Role.INSTITUTION_ADMIN}):
        return
    raise PermissionDenied(_("只有医共体办公室或机构管理员可以修改转诊设置。"))


@transaction.atomic
def set_policy(actor, institution: Institution, *, requires_head_approval: bool) -> Policy:
    _require_office_or_admin(actor, institution.pk)
    policy, _created = Policy.objects.get_or_create(institution=institution)
    before = {"requires_head_approval": policy.requires_head_approval}
    policy.requires_head_approval = bool(requires_head_approval)
    policy.save()
    record_change(actor, action="update", subject=policy, before=before,
                  after={"requires_head_approval": policy.requires_head_approval}, institution_id=institution.pk)
    return policy


@transaction.atomic
def add_catalog_entry(actor, *, kind: str, code: str, name: str, grade_level: str = "") -> CatalogEntry:
    """A disease on a catalog (the consortium office edits them): an ICD-10 code or a prefix of codes."""
    _require_office_or_admin(actor)
    errors: dict = {}
    code = rules.normalise_code(code)
    if kind not in CatalogKind.values:
        errors["kind"] = [ValidationError(_("请选择目录。"), code="invalid")]
    if kind == CatalogKind.FIRST_DIAGNOSIS and grade_level not in ("1", "2", "3"):
        errors["grade_level"] = [ValidationError(_("首诊病种目录须指定医院等级。"), code="required")]
    if kind == CatalogKind.DOWN_REFERRAL:
        grade_level = ""
    if not _ICD_RE.match(code):
        errors["code"] = [ValidationError(_("请填写ICD-10编码或其前缀，如 J06 或 J06.9。"), code="invalid")]
    elif not Icd10Code.objects.filter(code__istartswith=code).exists():
        errors["code"] = [ValidationError(_("疾病分类目录中没有以 %(code)s 开头的编码。"), code="unknown_icd",
                                          params={"code": code})]
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [ValidationError(_("请填写病种名称（100字以内）。"), code="required")]
    _raise(errors)
    if CatalogEntry.objects.filter(kind=kind, grade_level=grade_level, code=code).exists():
        raise _err("code", _("该病种已在目录中。"), "duplicate")
    entry = CatalogEntry.objects.create(kind=kind, grade_level=grade_level, code=code, name=name)
    record_change(actor, action="create", subject=entry, before=None,
                  after={"kind": kind, "grade_level": grade_level, "code": code, "name": name})
    return entry


@transaction.atomic
def retire_catalog_entry(actor, entry: CatalogEntry) -> CatalogEntry:
    _require_office_or_admin(actor)
    CatalogEntry.objects.filter(pk=entry.pk).update(active=False)
    entry.refresh_from_db()
    record_change(actor, action="update", subject=entry, before={"active": True}, after={"active": False})
    return entry


@transaction.atomic
def set_deductible(actor, *, scheme: str, grade_level: str, amount) -> DeductibleRate:
    from yigongti.people.models import InsuranceScheme

    _require_office_or_admin(actor)
    errors: dict = {}
    if scheme not in InsuranceScheme.values:
        errors["scheme"] = [ValidationError(_("请选择医保类型。"), code="invalid")]
    if grade_level not in (GradeLevel.L1, GradeLevel.L2, GradeLevel.L3):
        errors["grade_level"] = [ValidationError(_("请选择医院等级。"), code="invalid")]
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
        if value < 0 or value >= Decimal("10000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = [ValidationError(_("请输入不小于0的金额（元）。"), code="invalid")]
        value = None
    _raise(errors)
    rate, _created = DeductibleRate.objects.get_or_create(scheme=scheme, grade_level=grade_level,
                                                          defaults={"amount": value})
    before = {"amount": str(rate.amount)} if not _created else None
    rate.amount = value
    rate.save()
    record_change(actor, action="create" if _created else "update", subject=rate, before=before,
                  after={"scheme": scheme, "grade_level": grade_level, "amount": str(value)})
    return rate


# --- event handlers ------------------------------------------------------------------------------------------


def on_resident_died(event: events.ResidentDied) -> None:
    """Open referrals of a resident who died are cancelled (by the system) and their beds freed."""
    open_states = [Status.DRAFT, Status.PENDING_APPROVAL, Status.SUBMITTED, Status.ACCEPTED]
    for r in Referral.objects.filter(resident_id=event.resident_id, status__in=open_states):
        before = _snapshot(r)
        Referral.objects.filter(pk=r.pk, status=r.status).update(
            status=Status.CANCELLED, cancel_reason=str(_("患者死亡"))[:200], closed_at=timezone.now(),
            version=F("version") + 1)
        r.refresh_from_db()
        release_bed(r)
        close_tasks(r)
        _audit(None, r, before, reason="resident_died", institution_id=r.from_institution_id)


def on_residents_merged(event: events.ResidentsMerged) -> None:
    """Re-point the merged record's referrals and filings to the kept one; remember them for an undo."""
    from yigongti.people.models import ResidentMerge

    referral_ids = list(Referral.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    filing_ids = list(OutsideFiling.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    Referral.objects.filter(pk__in=referral_ids).update(resident_id=event.kept_id)
    OutsideFiling.objects.filter(pk__in=filing_ids).update(resident_id=event.kept_id)
    merge = ResidentMerge.objects.select_for_update().get(pk=event.merge_id)
    moved = dict(merge.moved or {})
    moved["referrals"] = {"referrals": referral_ids, "filings": filing_ids}
    merge.moved = moved
    merge.save(update_fields=["moved"])


def on_residents_unmerged(event: events.ResidentsUnmerged) -> None:
    from yigongti.people.models import ResidentMerge

    moved = (ResidentMerge.objects.get(pk=event.merge_id).moved or {}).get("referrals") or {}
    Referral.objects.filter(pk__in=moved.get("referrals", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)
    OutsideFiling.objects.filter(pk__in=moved.get("filings", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)
