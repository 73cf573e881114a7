"""Every change in the shared diagnostic centres: one function per step, each with its validation, the check
that the actor may act for the institution the step belongs to, the transaction and the audit entry.

    centre = create_centre(None, institution=hospital, name="县心电诊断中心", modalities=["ecg", "dr"])
    r = create_request(village_doctor, institution=clinic, resident=p, test=ecg, priority="urgent",
                       clinical_info="胸闷2小时")                 # a recognised earlier result needs repeat_reason
    use_earlier_result(doctor, institution=clinic, resident=p, test=ecg)   # the repeat avoided (结果互认)
    attach_study(village_doctor, r, filename="ecg.pdf", content=b"%PDF…")   # DICOM, PDF or image
    collect_specimen(nurse, r) → barcode; receive_specimen(lab, specimen, barcode=…); mark_tested(lab, specimen)
    claim_request(reader, r)                                 # race-safe: conditional UPDATE, row count checked
    save_report(reader, r, findings=…, impression=…, template=t, results={"K": "6.8"})
    sign_report(reader, r); publish_report(reader, r)
    revise_report(reader, r, reason="…", findings=…)        # a new revision; the earlier stays in the history
    cv = mark_critical(reader, r, description="急性前壁心梗")  # inbox alert + escalation job
    record_call(reader, cv, phoned_to="赵村医", read_back="急性前壁ST段抬高型心梗")
    acknowledge_critical(village_doctor, cv)
    escalate(cv.pk)                                          # the job: to the requesting institution's duty doctor

The workflow and the numbers are rules/diagnostics.py. Bad input raises ValidationError with field-level
Chinese messages; acting for an institution the actor is not a member of raises PermissionDenied.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.jobs.queue import enqueue
from yigongti.org.access import can_act_for
from yigongti.org.models import Institution, Role, Tier
from yigongti.people.models import RecordStatus, Resident
from yigongti.rules import diagnostics as rules
from yigongti.tasks.actions import create_task
from yigongti.tasks.models import Task, TaskState

from . import conf
from .models import (
    Analyte,
    BarcodeSequence,
    Centre,
    CriticalValue,
    DutyShift,
    Priority,
    Recognition,
    Report,
    Request,
    Result,
    Specimen,
    SpecimenState,
    Status,
    StudyFile,
    StudyKind,
    Template,
    Test,
)

CLINICAL_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                            Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.MENTAL_HEALTH, Role.HIV_CARE})
# Who reads and reports at a centre.
READER_ROLES = frozenset({Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD})
# Who handles specimens and phones critical values at a centre.
CENTRE_STAFF_ROLES = frozenset({Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD, Role.NURSE})
# Who gets an escalated alert when the requesting institution has nobody on the duty roster, by its tier.
DUTY_FALLBACK_ROLE = {Tier.COUNTY: Role.DEPARTMENT_HEAD, Tier.TOWNSHIP: Role.TOWNSHIP_DOCTOR,
                      Tier.VILLAGE: Role.VILLAGE_DOCTOR}
ESCALATE_JOB = "diagnostics.escalate"

ACTION_LABELS = {rules.CLAIM: _("领取"), rules.RELEASE: _("退回"), rules.SIGN: _("签名"), rules.PUBLISH: _("发布"),
                 rules.REVISE: _("修订"), rules.CANCEL: _("撤销")}
SNAPSHOT_FIELDS = ("number", "status", "resident_id", "test_id", "priority", "requesting_institution_id",
                   "centre_id", "reader_id", "earlier_result_id", "repeat_reason", "cancel_reason", "claimed_at",
                   "reported_at", "published_at", "version")
PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


# --- helpers -----------------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(obj, fields) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _err(field: str, message, code: str = "invalid", **params) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


def _require(user, institution_id: int | None, roles, message) -> None:
    if user is not None and not can_act_for(user, institution_id, roles):
        raise PermissionDenied(message)


def may_request(user, institution_id: int | None) -> bool:
    return user is None or can_act_for(user, institution_id, CLINICAL_ROLES)


def may_read(user, r: Request) -> bool:
    return user is None or can_act_for(user, r.centre.institution_id, READER_ROLES)


def _url(r: Request) -> str:
    return reverse("diagnostics:detail", args=[r.pk])


def _audit(actor, obj, before, fields, *, reason: str, institution_id) -> None:
    record_change(actor, action="create" if before is None else "update", subject=obj, before=before,
                  after=_snapshot(obj, fields), institution_id=institution_id, reason=reason)


def _step(r: Request, action: str) -> str:
    try:
        return rules.next_state(r.status, action)
    except rules.TransitionError:
        raise _err("status", _("申请当前状态为“%(state)s”，不能%(action)s。"), "illegal_transition",
                   state=Status(r.status).label, action=ACTION_LABELS.get(action, action)) from None


def _move(r: Request, from_state: str, to_state: str, **fields) -> None:
    """Claim the transition with a conditional UPDATE on the stored status (both databases): 0 rows means
    somebody else moved the request first."""
    updated = Request.objects.filter(pk=r.pk, status=from_state).update(
        status=to_state, version=F("version") + 1, updated_at=timezone.now(), **fields)
    if updated != 1:
        raise _err("status", _("该申请刚被他人处理，请刷新后查看。"), "conflict")
    r.refresh_from_db()


def close_tasks(source, actor=None) -> None:
    Task.objects.filter(source_type=source._meta.label, source_id=str(source.pk), state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=actor if getattr(actor, "is_authenticated", False) else None,
        completed_at=timezone.now())


# --- centres, duty roster -------------------------------------------------------------------------------

@transaction.atomic
def create_centre(actor, *, institution: Institution, name: str, modalities, header: str = "",
                  phone: str = "") -> Centre:
    if actor is not None and not can_act_for(actor, institution.pk, {Role.INSTITUTION_ADMIN, Role.CONSORTIUM_OFFICE}):
        raise PermissionDenied(_("只有该机构的管理员可以设置诊断中心。"))
    bad = [m for m in modalities if m not in rules.MODALITIES]
    if bad or not modalities:
        raise _err("modalities", _("请选择中心开展的项目。"), "required")
    centre = Centre.objects.create(institution=institution, name=name.strip() or institution.name,
                                   modalities=list(modalities), header=header or institution.name, phone=phone)
    _audit(actor, centre, None, ("name", "modalities", "institution_id"), reason="diagnostics_centre",
           institution_id=institution.pk)
    return centre


@transaction.atomic
def add_duty_shift(actor, *, institution: Institution, doctor, starts_at: dt.datetime, ends_at: dt.datetime
                   ) -> DutyShift:
    """A shift of the duty roster (排班): only the institution's admin or clinical staff set it, for one of its
    own clinicians."""
    if actor is not None and not can_act_for(actor, institution.pk, {Role.INSTITUTION_ADMIN, *CLINICAL_ROLES}):
        raise PermissionDenied(_("只能为本机构排班。"))
    if not can_act_for(doctor, institution.pk, CLINICAL_ROLES):
        raise _err("doctor", _("值班医生须为本机构的临床人员。"), "not_member")
    if ends_at <= starts_at:
        raise _err("ends_at", _("结束时间须晚于开始时间。"), "order")
    shift = DutyShift.objects.create(institution=institution, doctor=doctor, starts_at=starts_at, ends_at=ends_at)
    _audit(actor, shift, None, ("institution_id", "doctor_id", "starts_at", "ends_at"), reason="duty_roster",
           institution_id=institution.pk)
    return shift


def duty_doctor(institution_id: int, at: dt.datetime):
    shift = (DutyShift.objects.filter(institution_id=institution_id, starts_at__lte=at, ends_at__gt=at)
             .select_related("doctor").order_by("-starts_at", "pk").first())
    return shift.doctor if shift else None


# --- result recognition ----------------------------------------------------------------------------------

def recognition_days(test: Test) -> int:
    if test.recognition_days is not None:
        return test.recognition_days
    return int(conf.get("RECOGNITION_DAYS").get(test.modality, -1))


def recognised_result(resident_id: int, test: Test, on: dt.date | None = None) -> Request | None:
    """The latest published result of this test for the resident anywhere in the consortium still inside its
    recognition window on ``on`` (China date), or None."""
    on = on or timezone.localdate()
    days = recognition_days(test)
    if days < 0:
        return None
    earliest = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=days), dt.time()))
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    found = (Request.objects.filter(resident_id=resident_id, test=test, status=Status.PUBLISHED,
                                    published_at__gte=earliest, published_at__lt=end)
             .select_related("centre", "requesting_institution").order_by("-published_at", "-pk").first())
    if found and rules.recognition(timezone.localdate(found.published_at), on, days) == rules.RECOGNISED:
        return found
    return None


@transaction.atomic
def use_earlier_result(user, *, institution: Institution, resident: Resident, test: Test) -> Recognition:
    """The doctor accepts the earlier result instead of repeating the test: an avoided repeat."""
    if not may_request(user, institution.pk):
        raise PermissionDenied(_("只能以本机构名义开具检查。"))
    earlier = recognised_result(resident.pk, test)
    if earlier is None:
        raise _err("test", _("该患者没有可互认的既往结果。"), "none")
    rec = Recognition.objects.create(resident=resident, test=test, institution=institution, doctor=user,
                                     earlier_result=earlier, avoided=True, decided_at=timezone.now())
    _audit(user, rec, None, ("resident_id", "test_id", "earlier_result_id", "avoided"), reason="recognition",
           institution_id=institution.pk)
    return rec


# --- requests --------------------------------------------------------------------------------------------

def _resident_visible(user, resident: Resident) -> bool:
    if user is None:
        return True
    from yigongti.people.queries import visible_residents

    return visible_residents(user).filter(pk=resident.pk).exists()


def default_centre(modality: str) -> Centre | None:
    for centre in Centre.objects.filter(active=True).order_by("pk"):
        if modality in centre.modalities:
            return centre
    return None


@transaction.atomic
def create_request(user, *, institution: Institution, resident: Resident, test: Test, centre: Centre | None = None,
                   priority: str = Priority.ROUTINE, clinical_info: str = "", repeat_reason: str = "") -> Request:
    if not may_request(user, institution.pk):
        raise PermissionDenied(_("只能以本机构名义开具检查。"))
    errors: dict = {}
    if not _resident_visible(user, resident) or resident.status != RecordStatus.ACTIVE:
        errors["resident"] = [_("找不到该患者或其档案已关闭。")]
    if not test.active:
        errors["test"] = [_("该项目已停用。")]
    if priority not in Priority.values:
        errors["priority"] = [_("请选择优先级。")]
    centre = centre or default_centre(test.modality)
    if centre is None or not centre.active or test.modality not in centre.modalities:
        errors["centre"] = [_("所选诊断中心不开展该项目。")]
    if len(clinical_info) > 2000:
        errors["clinical_info"] = [_("临床资料过长（最多2000字）。")]
    if errors:
        raise ValidationError(errors)
    earlier = recognised_result(resident.pk, test)
    repeat_reason = (repeat_reason or "").strip()
    if earlier is not None and len(repeat_reason) < 2:
        raise _err("repeat_reason", _("该患者%(date)s已在%(centre)s做过“%(test)s”（%(number)s），结果在互认期内；"
                                      "如需重复检查，请说明理由。"), "recognised",
                   date=timezone.localdate(earlier.published_at).isoformat(), centre=earlier.centre.name,
                   test=test.name, number=earlier.number or "")
    now = timezone.now()
    r = Request.objects.create(resident=resident, test=test, modality=test.modality, priority=priority,
                               clinical_info=clinical_info.strip(), requesting_institution=institution,
                               requesting_doctor=user, centre=centre, requested_at=now,
                               earlier_result=earlier, repeat_reason=repeat_reason if earlier else "",
                               created_by=user)
    r.number = f"JC{timezone.localtime(now):%Y%m%d}{r.pk:06d}"
    Request.objects.filter(pk=r.pk).update(number=r.number)
    if earlier is not None:
        Recognition.objects.create(resident=resident, test=test, institution=institution, doctor=user,
                                   earlier_result=earlier, avoided=False, repeat_request=r, reason=repeat_reason,
                                   decided_at=now)
    _audit(user, r, None, SNAPSHOT_FIELDS, reason="diagnostics_request", institution_id=institution.pk)
    return r


@transaction.atomic
def cancel_request(user, r: Request, *, reason: str) -> Request:
    _require(user, r.requesting_institution_id, CLINICAL_ROLES, _("只有申请机构可以撤销申请。"))
    reason = (reason or "").strip()
    if not reason:
        raise _err("reason", _("请填写撤销原因。"), "required")
    before = _snapshot(r, SNAPSHOT_FIELDS)
    _move(r, r.status, _step(r, rules.CANCEL), cancel_reason=reason[:200])
    _audit(user, r, before, SNAPSHOT_FIELDS, reason="diagnostics_cancel", institution_id=r.requesting_institution_id)
    return r


def sniff(content: bytes) -> tuple[str, str] | None:
    """(kind, content type) from the file's first bytes, whatever its name says."""
    if content[128:132] == b"DICM":
        return StudyKind.DICOM, "application/dicom"
    if content.startswith(PDF_MAGIC):
        return StudyKind.PDF, "application/pdf"
    for magic, ctype in IMAGE_MAGIC.items():
        if content.startswith(magic):
            return StudyKind.IMAGE, ctype
    return None


@transaction.atomic
def attach_study(user, r: Request, *, filename: str, content: bytes) -> StudyFile:
    """The requesting clinic uploads the study: an ECG as PDF or image (or DICOM), images as DICOM."""
    from . import dicom
    from .storage import StorageError, get_storage

    if user is not None and not (can_act_for(user, r.requesting_institution_id, CLINICAL_ROLES)
                                 or can_act_for(user, r.centre.institution_id, CENTRE_STAFF_ROLES)):
        raise PermissionDenied(_("只有申请机构或诊断中心可以上传检查文件。"))
    if r.status in (Status.PUBLISHED, Status.CANCELLED):
        raise _err("status", _("报告已发布或申请已撤销，不能再上传。"), "closed")
    if r.modality == rules.LAB:
        raise _err("file", _("检验申请不上传文件，请采集标本。"), "lab")
    if not content:
        raise _err("file", _("请选择文件。"), "required")
    if len(content) > conf.get("MAX_UPLOAD_BYTES"):
        raise _err("file", _("文件过大。"), "too_large")
    found = sniff(content)
    allowed = {StudyKind.DICOM, StudyKind.PDF, StudyKind.IMAGE} if r.modality == rules.ECG else {StudyKind.DICOM}
    if found is None or found[0] not in allowed:
        raise _err("file", _("心电请上传 PDF、图片或 DICOM 文件；影像请上传 DICOM 文件。") if r.modality == rules.ECG
                   else _("影像检查请上传 DICOM 文件。"), "file_type")
    kind, ctype = found
    info: dict = {"study_uid": "", "series_uid": "", "instance_uid": "", "meta": {}}
    if kind == StudyKind.DICOM:
        try:
            info = dicom.parse(content)
        except dicom.NotDicom:
            raise _err("file", _("无法读取该 DICOM 文件。"), "bad_dicom") from None
        if StudyFile.objects.filter(request=r, instance_uid=info["instance_uid"]).exists():
            raise _err("file", _("该影像已上传。"), "duplicate")
    try:
        saved = get_storage().save(content, kind=kind, filename=filename, content_type=ctype)
    except StorageError:
        raise _err("file", _("影像归档服务暂不可用，请稍后重试。"), "storage") from None
    f = StudyFile.objects.create(request=r, kind=kind, storage=saved.storage, key=saved.key,
                                 filename=(filename or "study")[-120:], content_type=ctype, size=saved.size,
                                 sha256=saved.sha256, study_uid=info["study_uid"], series_uid=info["series_uid"],
                                 instance_uid=info["instance_uid"], meta=info["meta"], uploaded_by=user)
    _audit(user, f, None, ("request_id", "kind", "filename", "size", "study_uid"), reason="diagnostics_study",
           institution_id=r.requesting_institution_id)
    return f


@transaction.atomic
def link_archived_study(user, r: Request, *, study_uid: str, archive=None) -> list[StudyFile]:
    """A modality sent the study to the archive (Orthanc) itself: link its instances to the request."""
    from .storage import OrthancStorage

    if user is not None and not (can_act_for(user, r.requesting_institution_id, CLINICAL_ROLES)
                                 or can_act_for(user, r.centre.institution_id, CENTRE_STAFF_ROLES)):
        raise PermissionDenied(_("只有申请机构或诊断中心可以关联影像。"))
    if r.status in (Status.PUBLISHED, Status.CANCELLED):
        raise _err("status", _("报告已发布或申请已撤销，不能再关联影像。"), "closed")
    archive = archive or OrthancStorage()
    instances = archive.find_instances(study_uid.strip())
    if not instances:
        raise _err("study_uid", _("影像归档中找不到该检查。"), "not_found")
    made = []
    known = set(StudyFile.objects.filter(request=r).values_list("instance_uid", flat=True))
    for row in instances:
        if row["instance_uid"] in known:
            continue
        key = "/".join((row["study_uid"], row["series_uid"], row["instance_uid"]))
        made.append(StudyFile.objects.create(
            request=r, kind=StudyKind.DICOM, storage=archive.name, key=key, filename=f"{row['instance_uid']}.dcm",
            content_type="application/dicom", size=0, sha256="", study_uid=row["study_uid"],
            series_uid=row["series_uid"], instance_uid=row["instance_uid"], meta={"Modality": row["modality"]},
            uploaded_by=user))
    record_change(user, action="update", subject=r, before=None, after={"linked_study": study_uid,
                                                                        "instances": len(made)},
                  institution_id=r.requesting_institution_id, reason="diagnostics_link_study")
    return made


# --- laboratory specimens ------------------------------------------------------------------------------

def _next_serial(centre: Centre, year: int) -> int:
    BarcodeSequence.objects.get_or_create(centre=centre, year=year)
    BarcodeSequence.objects.filter(centre=centre, year=year).update(last=F("last") + 1)
    return BarcodeSequence.objects.get(centre=centre, year=year).last


@transaction.atomic
def collect_specimen(user, r: Request, *, kind: str = "静脉血") -> Specimen:
    """The requesting clinic collects the specimen and prints its barcode label."""
    _require(user, r.requesting_institution_id, CLINICAL_ROLES, _("只有申请机构可以采集标本。"))
    if r.modality != rules.LAB:
        raise _err("request", _("只有检验申请需要采集标本。"), "not_lab")
    if r.status == Status.CANCELLED or Specimen.objects.filter(request=r).exists():
        raise _err("request", _("该申请已采集标本或已撤销。"), "collected")
    now = timezone.now()
    code = rules.specimen_barcode(r.centre.institution.code, timezone.localdate(now).year,
                                  _next_serial(r.centre, timezone.localdate(now).year))
    s = Specimen.objects.create(request=r, barcode=code, kind=kind[:20], collected_at=now, collected_by=user)
    _audit(user, s, None, ("barcode", "state", "request_id"), reason="diagnostics_specimen",
           institution_id=r.requesting_institution_id)
    return s


def _advance(user, s: Specimen, to_state: str, **fields) -> Specimen:
    before = _snapshot(s, ("state",))
    if rules.next_specimen_state(s.state) != to_state:
        raise _err("state", _("标本当前状态为“%(state)s”，不能进行此操作。"), "illegal_transition",
                   state=SpecimenState(s.state).label)
    updated = Specimen.objects.filter(pk=s.pk, state=s.state).update(state=to_state, **fields)
    if updated != 1:
        raise _err("state", _("该标本刚被他人处理，请刷新后查看。"), "conflict")
    s.refresh_from_db()
    _audit(user, s, before, ("state",), reason=f"diagnostics_specimen_{to_state}",
           institution_id=s.request.centre.institution_id)
    return s


@transaction.atomic
def receive_specimen(user, s: Specimen, *, barcode: str) -> Specimen:
    """The centre receives the specimen by scanning its label (a misread label is refused)."""
    _require(user, s.request.centre.institution_id, CENTRE_STAFF_ROLES, _("只有诊断中心可以接收标本。"))
    barcode = (barcode or "").strip()
    if not rules.barcode_is_valid(barcode) or barcode != s.barcode:
        raise _err("barcode", _("条码不符，请重新扫描。"), "barcode")
    return _advance(user, s, rules.RECEIVED, received_at=timezone.now(), received_by=user)


@transaction.atomic
def mark_tested(user, s: Specimen) -> Specimen:
    _require(user, s.request.centre.institution_id, CENTRE_STAFF_ROLES, _("只有诊断中心可以登记检测。"))
    return _advance(user, s, rules.TESTED, tested_at=timezone.now())


def find_specimen(barcode: str) -> Specimen | None:
    return Specimen.objects.select_related("request").filter(barcode=(barcode or "").strip()).first()


# --- worklist: claim, report, sign, publish, revise ------------------------------------------------------

@transaction.atomic
def claim_request(user, r: Request) -> Request:
    """A reader takes the request from the worklist. Two readers at once: exactly one wins (conditional
    UPDATE on the stored status, row count checked; on PostgreSQL the row is also locked first)."""
    _require(user, r.centre.institution_id, READER_ROLES, _("只有诊断中心的诊断医生可以领取。"))
    if r.status == Status.CLAIMED and r.reader_id == getattr(user, "pk", None):
        return r
    Request.objects.select_for_update().filter(pk=r.pk).first()
    r.refresh_from_db()
    before = _snapshot(r, SNAPSHOT_FIELDS)
    if r.status == Status.CLAIMED:
        raise _err("status", _("该申请已被%(reader)s领取。"), "claimed",
                   reader=getattr(r.reader, "full_name", "") or getattr(r.reader, "username", ""))
    to = _step(r, rules.CLAIM)
    _move(r, rules.REQUESTED, to, reader=user, claimed_at=timezone.now())
    _audit(user, r, before, SNAPSHOT_FIELDS, reason="diagnostics_claim", institution_id=r.centre.institution_id)
    return r


def _require_reader(user, r: Request) -> None:
    _require(user, r.centre.institution_id, READER_ROLES, _("只有诊断中心的诊断医生可以书写报告。"))
    if user is not None and r.reader_id != user.pk:
        raise PermissionDenied(_("该申请由其他诊断医生领取。"))


@transaction.atomic
def release_claim(user, r: Request) -> Request:
    _require_reader(user, r)
    before = _snapshot(r, SNAPSHOT_FIELDS)
    _move(r, r.status, _step(r, rules.RELEASE), reader=None, claimed_at=None)
    Report.objects.filter(request=r, signed_at__isnull=True).delete()
    _audit(user, r, before, SNAPSHOT_FIELDS, reason="diagnostics_release", institution_id=r.centre.institution_id)
    return r


def current_report(r: Request) -> Report | None:
    return r.reports.order_by("-revision").first()


def _clean_results(r: Request, results: dict | None) -> list[tuple[Analyte, Decimal]]:
    if not results:
        return []
    analytes = {a.code: a for a in Analyte.objects.filter(test_id=r.test_id)}
    out, errors = [], {}
    for code, raw in results.items():
        if raw in (None, ""):
            continue
        a = analytes.get(code)
        if a is None:
            errors[f"results.{code}"] = [_("未知的检验指标。")]
            continue
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite() or abs(value) >= Decimal("1e9"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"results.{code}"] = [_("请填写数值。")]
            continue
        out.append((a, value.quantize(Decimal("0.001"))))
    if errors:
        raise ValidationError(errors)
    return out


def _write_results(report: Report, values: list[tuple[Analyte, Decimal]]) -> None:
    report.results.all().delete()
    Result.objects.bulk_create([
        Result(report=report, analyte=a, value=v, range_text=a.range_text[:40],
               flag=rules.flag(v, low=a.low, high=a.high, critical_low=a.critical_low, critical_high=a.critical_high))
        for a, v in values])


@transaction.atomic
def save_report(user, r: Request, *, findings: str = "", impression: str = "", template: Template | None = None,
                results: dict | None = None) -> Report:
    """The claimant writes (or rewrites) the draft from a template: a template fills what was left empty."""
    _require_reader(user, r)
    if r.status != Status.CLAIMED:
        raise _err("status", _("只有阅片中的申请可以书写报告。"), "illegal_transition")
    if template is not None and template.modality != r.modality:
        raise _err("template", _("模板与检查类别不符。"), "template")
    if template is not None:
        findings = findings or template.findings
        impression = impression or template.impression
    values = _clean_results(r, results)
    if r.modality == rules.LAB:
        specimen = Specimen.objects.filter(request=r).first()
        if values and (specimen is None or specimen.state not in (rules.RECEIVED, rules.TESTED)):
            raise _err("results", _("标本尚未接收，不能录入结果。"), "specimen")
    report = Report.objects.filter(request=r, signed_at__isnull=True).first()
    if report is None:
        revision = (r.reports.order_by("-revision").values_list("revision", flat=True).first() or 0) + 1
        report = Report(request=r, revision=revision)
    report.findings, report.impression, report.template, report.author = findings.strip(), impression.strip(), \
        template, user
    report.save()
    if values or results is not None:
        _write_results(report, values)
    return report


def _raise_lab_criticals(user, r: Request, report: Report) -> list[CriticalValue]:
    made = []
    for res in report.results.select_related("analyte").filter(flag__in=rules.CRITICAL_FLAGS):
        text = f"{res.analyte.name} {res.value.normalize():f} {res.analyte.unit} ({res.flag})"
        if not r.critical_values.filter(description=text).exists():
            made.append(mark_critical(user, r, description=text, source="lab"))
    return made


@transaction.atomic
def sign_report(user, r: Request) -> Report:
    _require_reader(user, r)
    report = Report.objects.filter(request=r, signed_at__isnull=True).first()
    if report is None or not (report.findings or report.impression or report.results.exists()):
        raise _err("impression", _("请先书写报告。"), "required")
    if r.modality == rules.LAB:
        specimen = Specimen.objects.filter(request=r).first()
        if specimen is None or specimen.state != rules.TESTED:
            raise _err("specimen", _("标本尚未检测完成，不能签发。"), "specimen")
    elif not report.impression:
        raise _err("impression", _("请填写诊断意见。"), "required")
    before = _snapshot(r, SNAPSHOT_FIELDS)
    now = timezone.now()
    _move(r, rules.CLAIMED, _step(r, rules.SIGN), reported_at=now)
    Report.objects.filter(pk=report.pk).update(signed_at=now)
    report.signed_at = now
    _audit(user, r, before, SNAPSHOT_FIELDS, reason="diagnostics_sign", institution_id=r.centre.institution_id)
    _raise_lab_criticals(user, r, report)
    return report


@transaction.atomic
def publish_report(user, r: Request) -> Request:
    """Publish to the requesting clinic and the shared record; a lab specimen becomes verified (审核发布)."""
    _require(user, r.centre.institution_id, READER_ROLES, _("只有诊断中心的诊断医生可以发布报告。"))
    before = _snapshot(r, SNAPSHOT_FIELDS)
    now = timezone.now()
    _move(r, rules.REPORTED, _step(r, rules.PUBLISH), published_at=now)
    Report.objects.filter(request=r, signed_at__isnull=False, published_at__isnull=True).update(published_at=now)
    specimen = Specimen.objects.filter(request=r).first()
    if specimen is not None:
        _advance(user, specimen, rules.VERIFIED, verified_at=now, verified_by=user)
    _audit(user, r, before, SNAPSHOT_FIELDS, reason="diagnostics_publish", institution_id=r.centre.institution_id)
    if r.requesting_doctor_id:
        create_task(title=str(_("检查报告已发布：%(test)s %(number)s") % {"test": r.test.name, "number": r.number}),
                    kind="diagnostics_report", assignee=r.requesting_doctor, source=r, source_url=_url(r),
                    created_by=user)
    return r


@transaction.atomic
def revise_report(user, r: Request, *, reason: str, findings: str = "", impression: str = "",
                  results: dict | None = None) -> Report:
    """Correct a published report: a new revision, signed and published at once with its reason; the earlier
    revisions stay in the history and the requesting doctor is told."""
    _require(user, r.centre.institution_id, READER_ROLES, _("只有诊断中心的诊断医生可以修订报告。"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _err("reason", _("请填写修订原因。"), "required")
    _step(r, rules.REVISE)
    Request.objects.select_for_update().filter(pk=r.pk).first()
    last = current_report(r)
    now = timezone.now()
    report = Report.objects.create(request=r, revision=(last.revision if last else 0) + 1,
                                   findings=(findings or (last.findings if last else "")).strip(),
                                   impression=(impression or (last.impression if last else "")).strip(),
                                   revision_reason=reason[:200], author=user, signed_at=now, published_at=now)
    if results is not None:
        _write_results(report, _clean_results(r, results))
    elif last is not None:
        Result.objects.bulk_create([Result(report=report, analyte_id=x.analyte_id, value=x.value, flag=x.flag,
                                           range_text=x.range_text) for x in last.results.all()])
    before = _snapshot(r, SNAPSHOT_FIELDS)
    Request.objects.filter(pk=r.pk).update(version=F("version") + 1, published_at=now, updated_at=now)
    r.refresh_from_db()
    _audit(user, r, before, SNAPSHOT_FIELDS, reason=f"diagnostics_revise: {reason}",
           institution_id=r.centre.institution_id)
    _raise_lab_criticals(user, r, report)
    if r.requesting_doctor_id:
        create_task(title=str(_("检查报告已修订：%(test)s %(number)s") % {"test": r.test.name, "number": r.number}),
                    kind="diagnostics_report", assignee=r.requesting_doctor, source=r, source_url=_url(r),
                    created_by=user)
    return report


# --- critical values -------------------------------------------------------------------------------------

CRITICAL_FIELDS = ("request_id", "description", "source", "marked_at", "phoned_at", "phoned_to", "read_back",
                   "acknowledged_at", "acknowledged_by_id", "escalated_at", "escalated_to_id")


def _critical_url(cv: CriticalValue) -> str:
    return reverse("diagnostics:critical", args=[cv.pk])


@transaction.atomic
def mark_critical(user, r: Request, *, description: str, source: str = "reader") -> CriticalValue:
    """A reader (or a lab result flagged LL/HH) marks a critical finding: the requesting doctor gets an inbox
    alert that must be acknowledged, and the escalation job is queued for when the time is up."""
    _require(user, r.centre.institution_id, READER_ROLES, _("只有诊断中心的诊断医生可以报告危急值。"))
    description = (description or "").strip()
    if len(description) < 2:
        raise _err("description", _("请填写危急值内容。"), "required")
    if r.status == Status.CANCELLED:
        raise _err("status", _("申请已撤销。"), "cancelled")
    now = timezone.now()
    minutes = int(conf.get("ESCALATION_MINUTES"))
    cv = CriticalValue.objects.create(request=r, description=description[:200], source=source, marked_by=user,
                                      marked_at=now)
    title = str(_("危急值：%(what)s（%(test)s，请立即处理并确认）") % {"what": cv.description, "test": r.test.name})
    due = rules.escalation_due_at(now, minutes)
    if r.requesting_doctor_id:
        create_task(title=title, kind="critical_value", assignee=r.requesting_doctor, source=cv,
                    source_url=_critical_url(cv), created_by=user, due_at=due)
    else:
        create_task(title=title, kind="critical_value", role=DUTY_FALLBACK_ROLE.get(
            r.requesting_institution.tier, Role.TOWNSHIP_DOCTOR), institution=r.requesting_institution, source=cv,
            source_url=_critical_url(cv), created_by=user, due_at=due)
    enqueue(ESCALATE_JOB, {"critical_value": cv.pk}, run_after=due, created_by=user)
    _audit(user, cv, None, CRITICAL_FIELDS, reason="critical_value", institution_id=r.centre.institution_id)
    return cv


@transaction.atomic
def record_call(user, cv: CriticalValue, *, phoned_to: str, read_back: str) -> CriticalValue:
    """The centre phoned the requesting doctor, who read the value back (危急值报告复述)."""
    r = cv.request
    _require(user, r.centre.institution_id, CENTRE_STAFF_ROLES, _("只有诊断中心可以登记电话通知。"))
    errors = {}
    if not (phoned_to or "").strip():
        errors["phoned_to"] = [_("请填写接听人。")]
    if len((read_back or "").strip()) < 2:
        errors["read_back"] = [_("请记录对方复述的内容。")]
    if errors:
        raise ValidationError(errors)
    if cv.phoned_at is not None:
        raise _err("phoned_to", _("电话通知已登记。"), "done")
    before = _snapshot(cv, CRITICAL_FIELDS)
    cv.phoned_at, cv.phoned_by = timezone.now(), user
    cv.phoned_to, cv.read_back = phoned_to.strip()[:40], read_back.strip()[:200]
    cv.save(update_fields=["phoned_at", "phoned_by", "phoned_to", "read_back"])
    _audit(user, cv, before, CRITICAL_FIELDS, reason="critical_value_call", institution_id=r.centre.institution_id)
    return cv


def may_acknowledge(user, cv: CriticalValue) -> bool:
    return (can_act_for(user, cv.request.requesting_institution_id, CLINICAL_ROLES)
            or (cv.escalated_to_id is not None and cv.escalated_to_id == user.pk))


@transaction.atomic
def acknowledge_critical(user, cv: CriticalValue) -> CriticalValue:
    """The requesting doctor (a clinician of the requesting institution, or the duty doctor it escalated to)
    confirms they saw it and act; the alerts close."""
    if not may_acknowledge(user, cv):
        raise PermissionDenied(_("只有申请机构的医生可以确认危急值。"))
    before = _snapshot(cv, CRITICAL_FIELDS)
    now = timezone.now()
    updated = CriticalValue.objects.filter(pk=cv.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user)
    if updated != 1:
        raise _err("acknowledged_at", _("该危急值已确认。"), "done")
    cv.refresh_from_db()
    close_tasks(cv, user)
    _audit(user, cv, before, CRITICAL_FIELDS, reason="critical_value_ack",
           institution_id=cv.request.requesting_institution_id)
    return cv


@transaction.atomic
def escalate(critical_value_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate one unacknowledged critical value whose time is up, once (conditional UPDATE): to the doctor on
    duty at the requesting institution, else to its clinicians by role. Returns whether it escalated."""
    now = now or timezone.now()
    minutes = int(conf.get("ESCALATION_MINUTES"))
    cv = CriticalValue.objects.select_related("request", "request__requesting_institution", "request__test").filter(
        pk=critical_value_id).first()
    if cv is None or not rules.must_escalate(marked_at=cv.marked_at, acknowledged_at=cv.acknowledged_at,
                                             escalated_at=cv.escalated_at, now=now, minutes=minutes):
        return False
    r = cv.request
    doctor = duty_doctor(r.requesting_institution_id, now)
    updated = CriticalValue.objects.filter(pk=cv.pk, acknowledged_at__isnull=True, escalated_at__isnull=True).update(
        escalated_at=now, escalated_to=doctor)
    if updated != 1:
        return False
    before = _snapshot(cv, CRITICAL_FIELDS)
    cv.refresh_from_db()
    title = str(_("危急值未确认，已升级：%(what)s（%(test)s %(number)s）") % {
        "what": cv.description, "test": r.test.name, "number": r.number})
    if doctor is not None:
        create_task(title=title, kind="critical_value", assignee=doctor, source=cv, source_url=_critical_url(cv),
                    due_at=now)
    else:
        create_task(title=title, kind="critical_value", role=DUTY_FALLBACK_ROLE.get(
            r.requesting_institution.tier, Role.TOWNSHIP_DOCTOR), institution=r.requesting_institution, source=cv,
            source_url=_critical_url(cv), due_at=now)
    _audit(None, cv, before, CRITICAL_FIELDS, reason="critical_value_escalate",
           institution_id=r.requesting_institution_id)
    return True


def escalate_due(now: dt.datetime | None = None) -> int:
    """Sweep: escalate every critical value whose time is up (the per-value jobs normally do it)."""
    now = now or timezone.now()
    minutes = int(conf.get("ESCALATION_MINUTES"))
    due = CriticalValue.objects.filter(acknowledged_at__isnull=True, escalated_at__isnull=True,
                                       marked_at__lte=now - dt.timedelta(minutes=minutes))
    return sum(1 for pk in due.values_list("pk", flat=True) if escalate(pk, now))


def open_criticals_q() -> Q:
    return Q(acknowledged_at__isnull=True)
