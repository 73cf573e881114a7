"""Every state change of the programme engine: one function each (validation, the acting institution's check,
``transaction.atomic()``, the audit entry, events, to-dos). Callers — pages, API, imports, the demo — use these.

    e = enrol(actor, resident=r, programme="hypertension", icd10_code="I10.x00", diagnosis_date=d,
              diagnosing_institution=centre, managing_institution=clinic, managing_doctor=doctor)
    visit, decision = record_followup(actor, e, institution=clinic, visit_date=today, mode="clinic",
                                      systolic=185, diastolic=115)
    leave_programme(actor, e, reason="moved", left_on=d)
    record_call_outcome(actor, e, outcome="no_answer")

TB notifications and screening flags are in ``actions_tb.py`` and ``actions_screening.py``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti import events
from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for
from yigongti.org.scoping import may_see_sensitive
from yigongti.people.keypops import age_on
from yigongti.people.models import Icd10Code, RecordStatus, Resident
from yigongti.rules import chronic as chronic_rules
from yigongti.rules.chronic import RuleError

from . import labels, programmes
from .models import CallOutcome, Enrolment, EnrolmentStatus, LeaveReason, Mode, Visit

SHORT_FOLLOWUP_DAYS = 14   # "actively follow up within 2 weeks" after a referral (spec §HT/§DM [C])

RULE_MESSAGES = {
    "bp_required": _("请填写收缩压和舒张压。"),
    "glucose_required": _("请填写空腹血糖。"),
    "unknown_symptom": _("症状不正确。"),
    "unknown_classification": _("随访分类不正确。"),
    "regimen_unparseable": _("治疗方案格式不正确（如 2HRZE/4HR）。"),
    "unknown_supervision": _("督导方式不正确。"),
}


def _check_acting(actor, institution) -> None:
    if actor is None:
        return
    if institution is None or not can_act_for(actor, institution.pk):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))


def _check_sensitive(actor, prog: programmes.ProgrammeDef) -> None:
    if actor is not None and prog.sensitive and not may_see_sensitive(actor, prog.sensitive):
        raise PermissionDenied(_("该项目为敏感项目，需要相应的专病角色。"))


def _programme(code: str) -> programmes.ProgrammeDef:
    try:
        return programmes.get(code)
    except KeyError:
        raise ValidationError({"programme": [_("管理项目不正确。")]}) from None


def enrolment_payload(e: Enrolment) -> dict:
    return {"resident_id": e.resident_id, "programme": e.programme, "icd10": e.icd10.code if e.icd10_id else "",
            "diagnosis_date": e.diagnosis_date.isoformat() if e.diagnosis_date else None,
            "managing_institution_id": e.managing_institution_id, "managing_doctor_id": e.managing_doctor_id,
            "enrolled_on": e.enrolled_on.isoformat(), "status": e.status,
            "left_on": e.left_on.isoformat() if e.left_on else None, "leave_reason": e.leave_reason,
            "next_due": e.next_due.isoformat() if e.next_due else None}


def _find_icd(code: str) -> Icd10Code | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return (Icd10Code.objects.filter(code__iexact=code).first()
            or Icd10Code.objects.filter(code__istartswith=code).order_by("code").first())


def enrol(actor, *, resident: Resident, programme: str, managing_institution, managing_doctor=None,
          icd10_code: str = "", diagnosis_date: dt.date | None = None, diagnosing_institution=None,
          enrolled_on: dt.date | None = None, details: dict | None = None, next_due: dt.date | None = None,
          external_id: str = "") -> Enrolment:
    """Enrol a resident in a programme (确诊纳管). Primary hypertension I10–I13 only: I15 (secondary) is
    refused with a message to refer. One active enrolment per resident per programme (database constraint)."""
    prog = _programme(programme)
    _check_acting(actor, managing_institution)
    _check_sensitive(actor, prog)
    today = timezone.localdate()
    enrolled_on = enrolled_on or today
    errors: dict = {}
    icd = None
    if icd10_code:
        verdict = prog.icd10_check(icd10_code)
        if verdict == "refer":
            errors["icd10_code"] = [ValidationError(
                _("继发性高血压（I15）不纳入高血压患者健康管理，请转诊至上级医院明确病因。"), code="refer")]
        elif verdict != "enrol":
            errors["icd10_code"] = [ValidationError(_("该诊断不属于本项目管理的病种。"), code="not_programme")]
        else:
            icd = _find_icd(icd10_code)
            if icd is None:
                errors["icd10_code"] = [ValidationError(_("ICD-10编码不在疾病目录中。"), code="unknown")]
    elif prog.icd10_check("I15") == "refer" or prog.min_age:
        errors["icd10_code"] = [ValidationError(_("请填写ICD-10诊断编码。"), code="required")]
    if enrolled_on > today:
        errors["enrolled_on"] = [ValidationError(_("纳入管理日期不能晚于今天。"))]
    if diagnosis_date and diagnosis_date > today:
        errors["diagnosis_date"] = [ValidationError(_("确诊日期不能晚于今天。"))]
    if resident.status != RecordStatus.ACTIVE:
        errors["resident"] = [ValidationError(_("只有在管档案可以纳入项目管理。"))]
    if managing_doctor is not None and not can_act_for(managing_doctor, managing_institution.pk):
        errors["managing_doctor"] = [ValidationError(_("责任医生不是该管理机构的人员。"))]
    cleaned_details = {}
    if prog.enrolment_form is not None:
        form = prog.enrolment_form(data=details or {})
        if form.is_valid():
            cleaned_details = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                               for k, v in form.cleaned_data.items()}
        else:
            for name, errs in form.errors.items():
                errors[name] = list(errs)
    if errors:
        raise ValidationError(errors)
    if next_due is None:
        # the first follow-up: TB from its schedule on the treatment's start, otherwise due on enrolment
        next_due = enrolled_on
    try:
        with transaction.atomic():
            e = Enrolment.objects.create(
                resident=resident, programme=prog.code, icd10=icd, diagnosis_date=diagnosis_date,
                diagnosing_institution=diagnosing_institution, managing_institution=managing_institution,
                managing_doctor=managing_doctor, enrolled_on=enrolled_on, next_due=next_due,
                details=cleaned_details, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                external_id=external_id)
            record_change(actor, action="create", subject=e, before=None, after=enrolment_payload(e),
                          institution_id=managing_institution.pk)
    except IntegrityError:
        raise ValidationError({"programme": [_("该居民已在本项目管理中。")]}) from None
    return e


def leave_programme(actor, enrolment: Enrolment, *, reason: str, left_on: dt.date | None = None,
                    note: str = "", check_acting: bool = True) -> Enrolment:
    """End an enrolment (moved, died, transferred, diagnosis revised, lost) with its reason; the history stays."""
    if reason not in LeaveReason.values:
        raise ValidationError({"reason": [_("出组原因不正确。")]})
    left_on = left_on or timezone.localdate()
    with transaction.atomic():
        e = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if check_acting:
            _check_acting(actor, e.managing_institution)
            _check_sensitive(actor, programmes.get(e.programme))
        if e.status != EnrolmentStatus.ACTIVE:
            raise ValidationError({"reason": [_("该管理已结束。")]})
        if left_on < e.enrolled_on:
            left_on = e.enrolled_on
        before = enrolment_payload(e)
        e.status, e.left_on, e.leave_reason, e.leave_note = EnrolmentStatus.LEFT, left_on, reason, note[:200]
        e.version += 1
        e.save(update_fields=["status", "left_on", "leave_reason", "leave_note", "version"])
        record_change(actor, action="update", subject=e, before=before, after=enrolment_payload(e),
                      institution_id=e.managing_institution_id, reason=f"leave:{reason}")
    return e


def update_enrolment(actor, enrolment: Enrolment, expected_version: int, *, managing_institution=None,
                     managing_doctor=None) -> Enrolment:
    """Change the managing institution or doctor (transfer within the county)."""
    from yigongti.api.errors import StaleEdit

    with transaction.atomic():
        e = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        _check_acting(actor, e.managing_institution)
        if e.version != expected_version:
            raise StaleEdit(_("该记录已被他人修改，请刷新后重试。"))
        before = enrolment_payload(e)
        inst = managing_institution or e.managing_institution
        if managing_doctor is not None and not can_act_for(managing_doctor, inst.pk):
            raise ValidationError({"managing_doctor": [_("责任医生不是该管理机构的人员。")]})
        e.managing_institution = inst
        e.managing_doctor = managing_doctor if managing_doctor is not None else e.managing_doctor
        e.version += 1
        e.save(update_fields=["managing_institution", "managing_doctor", "version"])
        record_change(actor, action="update", subject=e, before=before, after=enrolment_payload(e),
                      institution_id=inst.pk)
    return e


# --- follow-ups ---------------------------------------------------------------------------------------

COMMON_FIELDS = ("symptoms", "symptoms_other", "systolic", "diastolic", "heart_rate", "weight", "weight_target",
                 "fasting_glucose", "lifestyle", "adherence", "adverse_reaction", "adverse_reaction_note",
                 "medications", "referral_reason", "referral_to", "home_visit_at", "location", "signature_png")
RANGES = {"systolic": (50, 300), "diastolic": (30, 200), "heart_rate": (20, 250),
          "weight": (Decimal("1"), Decimal("300")), "weight_target": (Decimal("1"), Decimal("300")),
          "fasting_glucose": (Decimal("0.5"), Decimal("40"))}
ADHERENCE = tuple(chronic_rules.ADHERENCE.values())
MAX_SIGNATURE = 400_000


def _number(name, value, errors):
    if value in (None, ""):
        return None
    try:
        number = int(value) if name in ("systolic", "diastolic", "heart_rate") else Decimal(str(value))
    except (ValueError, InvalidOperation, TypeError):
        errors[name] = [ValidationError(_("请填写数字。"))]
        return None
    low, high = RANGES[name]
    if not low <= number <= high:
        errors[name] = [ValidationError(_("数值超出合理范围（%(low)s～%(high)s）。") % {"low": low, "high": high})]
        return None
    return number


def clean_followup(enrolment: Enrolment, data: dict) -> dict:
    """Validate a follow-up's data (the common fields and the programme's ``details``); field-level errors."""
    prog = programmes.get(enrolment.programme)
    errors: dict = {}
    out: dict = {}
    visit_date = data.get("visit_date")
    if isinstance(visit_date, str):
        try:
            visit_date = dt.date.fromisoformat(visit_date)
        except ValueError:
            visit_date = None
            errors["visit_date"] = [ValidationError(_("日期格式不正确。"))]
    if not visit_date and "visit_date" not in errors:
        errors["visit_date"] = [ValidationError(_("请填写随访日期。"), code="required")]
    elif visit_date and visit_date > timezone.localdate():
        errors["visit_date"] = [ValidationError(_("随访日期不能晚于今天。"))]
    elif visit_date and visit_date < enrolment.enrolled_on:
        errors["visit_date"] = [ValidationError(_("随访日期不能早于纳入管理日期。"))]
    out["visit_date"] = visit_date
    mode = data.get("mode")
    if mode not in Mode.values:
        errors["mode"] = [ValidationError(_("请选择随访方式。"))]
    out["mode"] = mode
    for name in RANGES:
        out[name] = _number(name, data.get(name), errors)
    if out.get("systolic") is not None and out.get("diastolic") is not None and out["systolic"] <= out["diastolic"]:
        errors["diastolic"] = [ValidationError(_("舒张压应低于收缩压。"))]
    if (out.get("systolic") is None) != (out.get("diastolic") is None):
        errors["systolic" if out.get("systolic") is None else "diastolic"] = [
            ValidationError(_("请同时填写收缩压和舒张压。"))]
    symptoms = data.get("symptoms") or []
    if isinstance(symptoms, str):
        symptoms = [s for s in symptoms.split(",") if s]
    allowed = getattr(prog.rules, "ALL_SYMPTOMS", None)
    if allowed is not None and any(s not in allowed for s in symptoms):
        errors["symptoms"] = [ValidationError(_("症状不正确。"))]
    out["symptoms"] = list(dict.fromkeys(symptoms))
    adherence = data.get("adherence") or ""
    if adherence and adherence not in ADHERENCE:
        errors["adherence"] = [ValidationError(_("服药依从性不正确。"))]
    out["adherence"] = adherence
    meds = data.get("medications") or []
    if not isinstance(meds, list) or any(not isinstance(m, dict) or not str(m.get("drug", "")).strip()
                                         for m in meds):
        errors["medications"] = [ValidationError(_("用药情况每行须有药物名称。"))]
        meds = []
    out["medications"] = [{"drug": str(m.get("drug", ""))[:60], "times": str(m.get("times", ""))[:20],
                           "dose": str(m.get("dose", ""))[:30]} for m in meds][:10]
    lifestyle = data.get("lifestyle") or {}
    out["lifestyle"] = lifestyle if isinstance(lifestyle, dict) else {}
    out["adverse_reaction"] = bool(data.get("adverse_reaction"))
    for name in ("symptoms_other", "adverse_reaction_note", "referral_reason", "referral_to", "location"):
        out[name] = str(data.get(name) or "")[:200]
    sig = data.get("signature_png") or ""
    if sig and (not sig.startswith("data:image/png;base64,") or len(sig) > MAX_SIGNATURE):
        errors["signature_png"] = [ValidationError(_("签名图片不正确。"))]
        sig = ""
    out["signature_png"] = sig
    home_at = data.get("home_visit_at")
    if isinstance(home_at, str) and home_at:
        try:
            home_at = dt.datetime.fromisoformat(home_at)
            if timezone.is_naive(home_at):
                home_at = timezone.make_aware(home_at)
        except ValueError:
            errors["home_visit_at"] = [ValidationError(_("时间格式不正确。"))]
            home_at = None
    out["home_visit_at"] = home_at or None
    form = prog.details_form(data=data.get("details") or {})
    if form.is_valid():
        out["details"] = {k: (v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, Decimal) else v))
                          for k, v in form.cleaned_data.items() if v not in (None, "")}
    else:
        for name, errs in form.errors.items():
            errors[f"details.{name}"] = list(errs)
    if errors:
        raise ValidationError(errors)
    return out


def _previous(enrolment: Enrolment, visit_date: dt.date) -> str | None:
    prev = (Visit.objects.filter(enrolment=enrolment, visit_date__lte=visit_date)
            .order_by("-visit_date", "-pk").values_list("classification", flat=True).first())
    return prev or None


def evaluate(enrolment: Enrolment, data: dict):
    """(cleaned data, rules Decision, controlled) — the same computation for the preview and the save."""
    prog = programmes.get(enrolment.programme)
    cleaned = clean_followup(enrolment, data)
    age = age_on(enrolment.resident.birth_date, cleaned["visit_date"])
    try:
        decision = prog.classify(enrolment, cleaned, _previous(enrolment, cleaned["visit_date"]), age)
    except RuleError as exc:
        field = {"bp_required": "systolic", "glucose_required": "fasting_glucose"}.get(exc.code, "__all__")
        raise ValidationError({field: [RULE_MESSAGES.get(exc.code, _("数据不完整，无法判断随访分类。"))]}) from None
    return cleaned, decision, prog.controlled(cleaned, age)


def visit_payload(v: Visit) -> dict:
    return {"enrolment_id": v.enrolment_id, "visit_date": v.visit_date.isoformat(), "mode": v.mode,
            "systolic": v.systolic, "diastolic": v.diastolic,
            "fasting_glucose": str(v.fasting_glucose) if v.fasting_glucose is not None else None,
            "classification": v.classification, "computed_classification": v.computed_classification,
            "override_reason": v.override_reason, "referral": v.referral,
            "next_due": v.next_due.isoformat() if v.next_due else None}


def record_followup(actor, enrolment: Enrolment, *, institution, override_classification: str = "",
                    override_reason: str = "", next_due: dt.date | None = None, doctor=None,
                    external_id: str = "", **data):
    """Record a follow-up: the programme's rules classify it and set the next date (most severe wins; two
    consecutive 不满意 → referral advised; emergency criteria → urgent). The doctor may override the
    classification with a kept reason. An urgent or advised referral creates a to-do for the managing doctor
    and schedules the follow-up within 2 weeks. Returns (visit, decision)."""
    from yigongti.tasks.actions import create_task

    _check_acting(actor, institution)
    prog = programmes.get(enrolment.programme)
    _check_sensitive(actor, prog)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError({"__all__": [_("该管理已结束，不能再记录随访。")]})
    data["visit_date"] = data.get("visit_date") or timezone.localdate()
    cleaned, decision, controlled = evaluate(enrolment, data)
    classification = decision.classification
    if override_classification and override_classification != decision.classification:
        if override_classification not in getattr(prog.rules, "CLASSIFICATIONS", ()):
            raise ValidationError({"override_classification": [_("随访分类不正确。")]})
        if len((override_reason or "").strip()) < 2:
            raise ValidationError({"override_reason": [_("修改规则给出的分类时须说明理由。")]})
        classification = override_classification
    due = next_due or decision.next_due
    if decision.referral and due and due > cleaned["visit_date"] + dt.timedelta(days=SHORT_FOLLOWUP_DAYS):
        due = cleaned["visit_date"] + dt.timedelta(days=SHORT_FOLLOWUP_DAYS)
    if due and due < cleaned["visit_date"]:
        raise ValidationError({"next_due": [_("下次随访日期不能早于本次随访。")]})
    with transaction.atomic():
        e = (Enrolment.objects.select_for_update(of=("self",)).select_related("resident", "managing_doctor")
             .get(pk=enrolment.pk))
        visit = Visit(enrolment=e, resident_id=e.resident_id, programme=e.programme, institution=institution,
                      doctor=doctor or (actor if getattr(actor, "is_authenticated", False) else None),
                      visit_date=cleaned["visit_date"], mode=cleaned["mode"],
                      computed_classification=decision.classification, classification=classification,
                      override_reason=(override_reason or "").strip()[:200] if classification != decision.classification else "",
                      reasons=list(decision.reasons), referral=decision.referral, next_due=due,
                      controlled=controlled, external_id=external_id,
                      **{k: cleaned[k] for k in COMMON_FIELDS}, details=cleaned.get("details", {}))
        visit.save()
        latest = e.last_visit_on is None or visit.visit_date >= e.last_visit_on
        if latest:
            e.last_visit_on, e.last_classification, e.next_due = visit.visit_date, classification, due
            e.risk = prog.rank(classification) + (10 if decision.referral == chronic_rules.REFERRAL_URGENT else
                                                  5 if decision.referral else 0)
            e.save(update_fields=["last_visit_on", "last_classification", "next_due", "risk"])
        record_change(actor, action="create", subject=visit, before=None, after=visit_payload(visit),
                      institution_id=institution.pk)
        if decision.referral:
            title = (_("紧急转诊：%(name)s（%(programme)s随访 %(date)s），请两周内主动随访")
                     if decision.is_urgent else _("建议转诊：%(name)s（%(programme)s随访 %(date)s），请两周内主动随访"))
            target = {"assignee": e.managing_doctor} if e.managing_doctor_id else {
                "role": "village_doctor", "institution": e.managing_institution}
            due_at = timezone.make_aware(dt.datetime.combine(due or visit.visit_date, dt.time(17, 0)))
            draft = _referral_draft(actor, e, visit, institution, decision, prog)
            create_task(title=str(title % {"name": e.resident.name, "programme": prog.label,
                                           "date": visit.visit_date.isoformat()}),
                        kind=f"chronic_referral_{decision.referral}", due_at=due_at, source=visit,
                        source_url=f"/referrals/{draft.pk}/" if draft else f"/chronic/visits/{visit.pk}/",
                        created_by=actor if getattr(actor, "is_authenticated", False) else None, **target)
        if prog.measures_bp and (visit.systolic is not None or visit.fasting_glucose is not None):
            events.publish(events.VitalsRecorded(
                resident_id=e.resident_id, institution_id=institution.pk, measured_on=visit.visit_date,
                source="followup", source_id=visit.pk, systolic=visit.systolic, diastolic=visit.diastolic,
                fasting_glucose=float(visit.fasting_glucose) if visit.fasting_glucose is not None else None))
    return visit, decision


def referral_destination(institution):
    """Where a follow-up's referral goes up: a village clinic to its township centre, a township centre to
    the consortium's lead county general hospital (seed 000's referral path); None at the county."""
    from yigongti.org.models import Institution, InstitutionKind, Tier

    institution = Institution.objects.select_related("parent").get(pk=institution.pk)
    if institution.tier == Tier.VILLAGE and institution.parent_id:
        return institution.parent
    if institution.tier == Tier.TOWNSHIP:
        return (Institution.objects.filter(tier=Tier.COUNTY, kind=InstitutionKind.GENERAL_HOSPITAL, active=True)
                .order_by("code").first())
    return None


def _referral_draft(actor, enrolment, visit, institution, decision, prog):
    """An advised or urgent referral (spec §HT/§DM: "紧急转诊" / "建议转诊") also opens a referral draft
    (草稿) at the visiting institution for the doctor to complete and submit, in a savepoint: when the
    draft cannot be written (no destination, a party the actor may not refer from), the follow-up and its
    to-do stand and the doctor writes the referral by hand."""
    from yigongti.referrals import actions as referral_actions
    from yigongti.referrals.models import Reason

    to = referral_destination(institution)
    if to is None or not getattr(actor, "is_authenticated", False):
        return None
    urgent = decision.referral == chronic_rules.REFERRAL_URGENT
    summary = _("%(programme)s随访（%(date)s）：%(reasons)s") % {
        "programme": prog.label, "date": visit.visit_date.isoformat(),
        "reasons": "；".join(str(labels.reason_label(r)) for r in decision.reasons) or visit.classification}
    try:
        with transaction.atomic():
            return referral_actions.create_referral(
                actor, from_institution=institution, to_institution=to, resident=enrolment.resident,
                reason=Reason.CRITICAL if urgent else Reason.SPECIALIST,
                primary_diagnosis=enrolment.icd10.code if enrolment.icd10_id else "", condition_summary=str(summary)[:2000])
    except (ValidationError, PermissionDenied):
        return None


# --- call list ----------------------------------------------------------------------------------------

def record_call_outcome(actor, enrolment: Enrolment, *, outcome: str, note: str = "",
                        called_at: dt.datetime | None = None, on: dt.date | None = None) -> CallOutcome:
    """The result of a call to an overdue patient. "moved" and "died" end the enrolment (reason moved/died);
    the resident record itself is changed through the people actions by whoever confirms it."""
    if outcome not in CallOutcome.Outcome.values:
        raise ValidationError({"outcome": [_("电话结果不正确。")]})
    with transaction.atomic():
        e = Enrolment.objects.select_related("managing_institution").get(pk=enrolment.pk)
        _check_acting(actor, e.managing_institution)
        _check_sensitive(actor, programmes.get(e.programme))
        if e.status != EnrolmentStatus.ACTIVE:
            raise ValidationError({"outcome": [_("该管理已结束。")]})
        call = CallOutcome.objects.create(enrolment=e, called_at=called_at or timezone.now(), outcome=outcome,
                                          note=note[:200],
                                          caller=actor if getattr(actor, "is_authenticated", False) else None)
        record_change(actor, action="create", subject=call, before=None,
                      after={"enrolment_id": e.pk, "outcome": outcome, "note": note[:200]},
                      institution_id=e.managing_institution_id)
        if outcome in (CallOutcome.Outcome.MOVED, CallOutcome.Outcome.DIED):
            leave_programme(actor, e, reason=LeaveReason.MOVED if outcome == "moved" else LeaveReason.DIED,
                            left_on=on or timezone.localdate(), note=str(_("电话随访得知")))
    return call
