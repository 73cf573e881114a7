"""Every change to the resident record: one function per state change, each with its validation, its
permission check on the acting institution, the transaction, the audit entry and the domain events.

Callers (pages, API, the import engineer's file importers, the demo) use exactly these functions:

    resident = register_resident(actor, institution=clinic, name="罗福英", sex="2",
                                 birth_date=date(1948, 3, 2), area=village, id_number="3601991948…",
                                 phone="13812345678", address="…", force=False)
    update_resident(actor, resident, expected_version, phone="…", area=other_village)
    record_move_away(actor, resident, moved_on)          record_death(actor, resident, date, cause="")
    merge = merge_residents(actor, kept, merged, reason)  undo_merge(actor, merge)
    add_tag(actor, resident, tag)                        remove_tag(actor, resident, tag)
    exam = record_exam(actor, institution=…, resident=…, exam_date=…, systolic_left=…, weight=…, …)
    enc = record_encounter(actor, institution=…, resident=…, kind="outpatient", visit_date=…,
                           primary_diagnosis="I10.x00", total_cost=…, drug_cost=…, …)
    enc, status = ingest_encounter(actor, institution=…, external_id="HIS-123", source="his",
                                   resident=…, kind=…, visit_date=…, …)   # status: created|updated|unchanged
    update_encounter(actor, enc, expected_version, **changes)   delete_encounter(actor, enc)

``actor`` is the acting User, or None for system work (imports and jobs run as the system; the caller
has checked its own authority). Bad input raises django ValidationError with field-level Chinese messages;
acting for an institution the actor is not a member of raises PermissionDenied; a stale ``version``
raises StaleVersion (the API answers 409).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from yigongti import events
from yigongti.api.errors import StaleEdit
from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, roles_by_institution
from yigongti.org.models import Area, ClinicalSystem, Institution
from yigongti.rules import duplicates as dup_rules
from yigongti.rules import idcard

from . import crypto
from .models import (
    Disability,
    DocumentType,
    Encounter,
    EncounterKind,
    EncounterSource,
    HealthExam,
    Household,
    Icd10Code,
    RecordStatus,
    Relation,
    Resident,
    ResidentMerge,
    ResidentTag,
    Sex,
)


class StaleVersion(StaleEdit):
    """The record changed since the caller read it (its ``version`` moved on): the API answers 409."""


class PossibleDuplicate(ValidationError):
    """Similar records exist (name, birth date, phone): register again with ``force=True`` to go on."""

    def __init__(self, candidates: list[tuple[Resident, dup_rules.Match]]):
        self.candidates = candidates
        # The message names no record: the candidates may lie outside the user's scope (design: Access);
        # pages list those the user may see.
        super().__init__({"__all__": [ValidationError(
            _("可能与已有档案重复（相似档案 %(count)s 份：姓名、出生日期或电话相同）。请核对；确认不是同一人时可勾选“仍然建档”。"),
            code="possible_duplicate", params={"count": len(candidates)})]})


ID_MESSAGES = {
    idcard.EMPTY: _("请填写身份证号码。"),
    idcard.BAD_LENGTH: _("身份证号码应为18位（或15位旧号）。"),
    idcard.BAD_FORMAT: _("身份证号码格式不正确：前17位应为数字，最后一位为数字或X。"),
    idcard.BAD_ADDRESS: _("身份证号码的地址码不正确。"),
    idcard.BAD_DATE: _("身份证号码中的出生日期不正确。"),
    idcard.BAD_CHECK: _("身份证号码校验位错误，请核对。"),
}

# Fields a page or the API may set on a resident (besides the encrypted ones: id_number, phone, address,
# contact_phone, and the pinyin, which is derived).
PLAIN_FIELDS = ("name", "sex", "birth_date", "document_type", "area", "household", "relation_to_head",
                "is_resident", "is_registered", "insurance_scheme", "ethnicity", "contact_name", "blood_type",
                "education", "occupation", "marital_status", "allergies", "past_history", "family_history",
                "disability")
SECRET_FIELDS = ("id_number", "phone", "address", "contact_phone")
# Changes other apps depend on (attribution, programme eligibility): published as ResidentChanged.
WATCHED = ("area_id", "birth_date", "sex", "is_resident", "is_registered")
COST_FIELDS = ("total_cost", "drug_cost", "consumables_cost", "medical_service_income", "insurance_paid")
ENCOUNTER_FIELDS = ("department", "doctor", "kind", "visit_date", "discharge_date", "primary_diagnosis",
                    "other_diagnoses", "systolic", "diastolic", "fasting_glucose", *COST_FIELDS, "is_tcm")
EXAM_FIELDS = tuple(f.name for f in HealthExam._meta.concrete_fields
                    if f.name not in ("id", "resident", "institution", "bmi", "version", "created_at", "updated_at"))

_PHONE_RE = re.compile(r"^\d{7,12}$")


# --- helpers ----------------------------------------------------------------------------------------


def _check_acting(actor, institution: Institution | None) -> None:
    """Every write checks that the actor may act for the institution named in the data (design: Access)."""
    if actor is None:
        return
    if institution is None or not can_act_for(actor, institution.pk):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))


def _covers(institution: Institution, area: Area) -> bool:
    return any(area.path.startswith(sa.path) for sa in institution.service_areas.all())


def editing_institution(actor, resident: Resident) -> Institution | None:
    """The institution in whose name ``actor`` may change ``resident``'s record: one they act for whose
    service area holds the resident, or the managing institution. None for the system."""
    if actor is None:
        return resident.managing_institution
    ids = [i for i in roles_by_institution(actor) if can_act_for(actor, i)]
    for inst in Institution.objects.filter(pk__in=ids).prefetch_related("service_areas").order_by("pk"):
        if _covers(inst, resident.area):
            return inst
    if resident.managing_institution_id in ids:
        return resident.managing_institution
    raise PermissionDenied(_("该居民不在您所在机构的服务范围内。"))


def normalise_phone(phone: str | None) -> str:
    return re.sub(r"[\s\-()]", "", phone or "")


def pinyin_of(name: str) -> tuple[str, str]:
    """(initials, full pinyin), lower-case ASCII: 罗福英 → ("lfy", "luofuying")."""
    letters = [p for p in lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")]
    full = lazy_pinyin(name or "", errors="ignore")
    keep = lambda s: re.sub(r"[^a-z]", "", s.lower())  # noqa: E731
    return keep("".join(letters))[:40], keep("".join(full))[:160]


def _iso(value) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def resident_snapshot(r: Resident) -> dict:
    """The audited view of a resident. Secrets are included decrypted: audit masks id_number/phone."""
    snap = {name: _iso(getattr(r, name + "_id" if name in ("area", "household") else name))
            for name in PLAIN_FIELDS}
    snap.update(id_number=crypto.decrypt(r.document_number_enc), phone=crypto.decrypt(r.phone_enc),
                record_number=r.record_number, status=r.status, version=r.version)
    return snap


def _validate_document(data: dict, errors: dict) -> None:
    """identifiers.md "Citizen ID number": the citizen ID is validated when that is the type (also the
    港澳台 residence permit, same rule); its birth date and sex must agree with the entered ones; other
    documents are taken as typed; no document → flagged for duplicate review."""
    doc_type = data.get("document_type") or DocumentType.ID_CARD
    number = (data.get("id_number") or "").strip()
    if doc_type == DocumentType.NONE:
        data["id_number"] = ""
        return
    if doc_type in (DocumentType.ID_CARD, DocumentType.HMT_PERMIT):
        if not number:
            return  # allowed without a number: flagged for review
        try:
            info = idcard.parse(number, today=timezone.localdate())
        except idcard.IdCardError as exc:
            errors.setdefault("id_number", []).append(ValidationError(ID_MESSAGES[exc.code], code=exc.code))
            return
        if doc_type == DocumentType.HMT_PERMIT and not info.is_hmt_permit:
            errors.setdefault("id_number", []).append(ValidationError(
                _("港澳台居民居住证号码的地址码应为810000、820000或830000。"), code="id_hmt_address"))
            return
        if doc_type == DocumentType.ID_CARD and info.is_hmt_permit:
            data["document_type"] = DocumentType.HMT_PERMIT
        data["id_number"] = info.number
        if data.get("birth_date") and data["birth_date"] != info.birth_date:
            errors.setdefault("birth_date", []).append(ValidationError(
                _("出生日期与身份证号码不一致（号码中为 %(date)s）。"), code="birth_mismatch",
                params={"date": info.birth_date.isoformat()}))
        elif not data.get("birth_date"):
            data["birth_date"] = info.birth_date
        if data.get("sex") in (Sex.MALE, Sex.FEMALE) and data["sex"] != info.sex:
            errors.setdefault("sex", []).append(ValidationError(
                _("性别与身份证号码不一致（号码第17位为%(parity)s）。"), code="sex_mismatch",
                params={"parity": _("奇数，男") if info.sex == Sex.MALE else _("偶数，女")}))
        elif not data.get("sex"):
            data["sex"] = info.sex
    else:
        data["id_number"] = re.sub(r"\s", "", number).upper()[:40]


def _validate_person(data: dict, errors: dict) -> None:
    if not (data.get("name") or "").strip():
        errors.setdefault("name", []).append(ValidationError(_("请填写姓名。"), code="required"))
    else:
        data["name"] = data["name"].strip()
    if not data.get("sex"):
        errors.setdefault("sex", []).append(ValidationError(_("请选择性别。"), code="required"))
    elif data["sex"] not in Sex.values:
        errors.setdefault("sex", []).append(ValidationError(_("性别代码不正确。"), code="invalid"))
    born = data.get("birth_date")
    if not born:
        errors.setdefault("birth_date", []).append(ValidationError(_("请填写出生日期。"), code="required"))
    elif born > timezone.localdate():
        errors.setdefault("birth_date", []).append(ValidationError(_("出生日期不能晚于今天。"), code="future"))
    elif born < idcard.EARLIEST_BIRTH:
        errors.setdefault("birth_date", []).append(ValidationError(_("出生日期过早，请核对。"), code="too_early"))
    if "disability" in data:
        values = list(data.get("disability") or [])
        if any(v not in Disability.values for v in values):
            errors.setdefault("disability", []).append(ValidationError(_("残疾情况代码不正确。"), code="invalid"))
        data["disability"] = sorted(set(values) & set(Disability.values))
    for name in ("past_history", "family_history"):
        if name in data:
            items = data.get(name) or []
            if isinstance(items, str):
                items = re.split(r"[\n；;、，,]+", items)
            data[name] = [str(i).strip()[:100] for i in items if str(i).strip()][:30]
    for name in ("phone", "contact_phone"):
        if data.get(name):
            data[name] = normalise_phone(data[name])
            if not _PHONE_RE.match(data[name]):
                errors.setdefault(name, []).append(ValidationError(
                    _("电话号码应为7至12位数字（手机11位）。"), code="invalid_phone"))
            elif len(data[name]) == 11 and not data[name].startswith("1"):
                errors.setdefault(name, []).append(ValidationError(_("手机号码应以1开头。"), code="invalid_phone"))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _apply_secrets(r: Resident, data: dict) -> None:
    if "id_number" in data:
        number = data["id_number"] or ""
        r.document_number_enc = crypto.encrypt(number)
        r.document_index = crypto.blind_index("document", number)
    if "phone" in data:
        phone = data["phone"] or ""
        r.phone_enc = crypto.encrypt(phone)
        r.phone_index = crypto.blind_index("phone", phone)
        r.phone_last4_index = crypto.blind_index("phone4", phone[-4:]) if len(phone) >= 4 else ""
    if "address" in data:
        r.address_enc = crypto.encrypt(data["address"] or "")
    if "contact_phone" in data:
        r.contact_phone_enc = crypto.encrypt(data["contact_phone"] or "")


def _review_flag(r: Resident) -> None:
    if not r.document_index:
        r.needs_review, r.review_reason = True, "no_document"
    elif r.review_reason == "no_document":
        r.needs_review, r.review_reason = False, ""


def _check_same_document(index: str, exclude_pk: int | None = None) -> None:
    """The same document number is one person: refuse, naming the existing record."""
    if not index:
        return
    existing = Resident.objects.filter(document_index=index).exclude(status=RecordStatus.MERGED)
    if exclude_pk:
        existing = existing.exclude(pk=exclude_pk)
    hit = existing.only("pk", "record_number").first()
    if hit:
        raise ValidationError({"id_number": [ValidationError(
            _("该证件号码已建档，档案编号 %(number)s。"), code="duplicate_document",
            params={"number": hit.record_number or str(hit.pk)})]})


def similar_residents(*, name: str, birth_date: dt.date | None, sex: str = "", phone: str = "",
                      exclude_pk: int | None = None) -> list[tuple[Resident, dup_rules.Match]]:
    """Records that look like the same person (rules/duplicates.py), best first."""
    phone_index = crypto.blind_index("phone", normalise_phone(phone)) if phone else ""
    cond = Q(name=name, birth_date=birth_date)
    if phone_index:
        cond |= Q(phone_index=phone_index, birth_date=birth_date) | Q(phone_index=phone_index, name=name)
    qs = Resident.objects.filter(cond).exclude(status=RecordStatus.MERGED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    me = {"name": name, "birth_date": birth_date, "sex": sex, "phone_index": phone_index}
    found = []
    for r in qs[:20]:
        match = dup_rules.score(me, {"name": r.name, "birth_date": r.birth_date, "sex": r.sex,
                                     "phone_index": r.phone_index})
        if match.warns:
            found.append((r, match))
    return sorted(found, key=lambda pair: -pair[1].score)


def _area_prefix(area: Area) -> str:
    # identifiers.md "Health-record number": 12-digit area code + 5-digit serial.
    return (area.code + "0" * 12)[:12]


def _next_record_number(area: Area) -> str:
    prefix = _area_prefix(area)
    top = (Resident.objects.filter(record_number__startswith=prefix)
           .aggregate(m=Max("record_number"))["m"])
    serial = int(top[12:]) + 1 if top else 1
    if serial > 99999:
        raise ValidationError({"area": [_("该村/社区的档案编号已用尽。")]})
    return f"{prefix}{serial:05d}"


def _assign_record_number(r: Resident, attempts: int = 8) -> None:
    """Race-safe: the unique constraint decides; a collision retries with the next serial."""
    for _attempt in range(attempts):
        r.record_number = _next_record_number(r.area)
        try:
            with transaction.atomic():
                Resident.objects.filter(pk=r.pk).update(record_number=r.record_number)
            return
        except IntegrityError:
            continue
    raise ValidationError(_("生成档案编号失败，请重试。"))


# --- residents ---------------------------------------------------------------------------------------


def register_resident(actor, *, institution: Institution, force: bool = False, **fields) -> Resident:
    """Create a health record (建档). Fields: name, sex ("1"/"2"/…), birth_date, area (village/community),
    document_type (default "id_card"), id_number (the document's number, any type), phone, address,
    contact_name, contact_phone, household, relation_to_head, and the other Resident fields in PLAIN_FIELDS.
    With a citizen ID, birth date and sex may be left out (taken from the number). ``force`` registers
    despite a similar-record warning (never despite the same document number)."""
    _check_acting(actor, institution)
    unknown = set(fields) - set(PLAIN_FIELDS) - set(SECRET_FIELDS)
    if unknown:
        raise TypeError(f"register_resident: unknown fields {sorted(unknown)}")
    data = dict(fields)
    data.setdefault("document_type", DocumentType.ID_CARD)
    errors: dict = {}
    _validate_document(data, errors)
    _validate_person(data, errors)
    area = data.get("area")
    if area is None:
        errors.setdefault("area", []).append(ValidationError(_("请选择村/社区。"), code="required"))
    elif actor is not None and not _covers(institution, area):
        errors.setdefault("area", []).append(ValidationError(
            _("该村/社区不在%(inst)s的服务范围内。"), code="out_of_scope", params={"inst": institution.name}))
    elif data.get("household") is not None and data["household"].area_id != area.pk:
        errors.setdefault("household", []).append(ValidationError(_("该户不在本人所在的村/社区。"),
                                                                   code="other_area"))
    _raise(errors)
    with transaction.atomic():
        document_index = crypto.blind_index("document", data.get("id_number"))
        _check_same_document(document_index)
        if not force:
            similar = similar_residents(name=data["name"], birth_date=data["birth_date"], sex=data["sex"],
                                        phone=data.get("phone", ""))
            if similar:
                raise PossibleDuplicate(similar)
        r = Resident(created_by=actor, managing_institution=institution)
        for name in PLAIN_FIELDS:
            if name in data:
                setattr(r, name, data[name])
        r.name_initials, r.name_pinyin = pinyin_of(r.name)
        _apply_secrets(r, {k: data.get(k, "") for k in SECRET_FIELDS})
        _review_flag(r)
        r.save()
        _assign_record_number(r)
        record_change(actor, action="create", subject=r, before=None, after=resident_snapshot(r),
                      institution_id=institution.pk)
        events.publish(events.ResidentRegistered(resident_id=r.pk, area_id=r.area_id, institution_id=institution.pk))
    return r


def _bump(resident: Resident, expected_version: int | None) -> None:
    """Claim the edit with a conditional UPDATE on the version (both databases); 0 rows → stale."""
    qs = Resident.objects.filter(pk=resident.pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise StaleVersion()
    resident.version = Resident.objects.filter(pk=resident.pk).values_list("version", flat=True).get()


def _watched(r: Resident) -> dict:
    return {"area_id": r.area_id, "birth_date": r.birth_date.isoformat() if r.birth_date else None,
            "sex": r.sex, "is_resident": r.is_resident, "is_registered": r.is_registered}


def update_resident(actor, resident: Resident, expected_version: int | None, **changes) -> Resident:
    """Change fields of a record (same names as register_resident). ``expected_version`` is the version the
    caller read (None: no check, for imports). Publishes ResidentChanged when area, birth date, sex or
    residence type changed."""
    unknown = set(changes) - set(PLAIN_FIELDS) - set(SECRET_FIELDS)
    if unknown:
        raise TypeError(f"update_resident: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        resident = (Resident.objects.select_related("area", "managing_institution", "household")
                    .get(pk=resident.pk))
        if resident.status == RecordStatus.MERGED:
            raise ValidationError(_("该档案已合并，不能修改。"))
        inst = editing_institution(actor, resident)
        before = resident_snapshot(resident)
        watched_before = _watched(resident)
        data = {k: v for k, v in changes.items()}
        identity = {"document_type", "id_number", "birth_date", "sex"}
        if identity & set(data):
            merged = {"document_type": resident.document_type, "id_number": before["id_number"],
                      "birth_date": resident.birth_date, "sex": resident.sex, **data}
            errors: dict = {}
            _validate_document(merged, errors)
            _raise(errors)
            data.update({k: merged[k] for k in identity if k in merged})
        full = {"name": resident.name, "sex": resident.sex, "birth_date": resident.birth_date, **data}
        errors = {}
        _validate_person(full, errors)
        _raise(errors)
        data.update({k: full[k] for k in ("name", "phone", "contact_phone") if k in data})
        if "id_number" in data and data["id_number"] != before["id_number"]:
            _check_same_document(crypto.blind_index("document", data["id_number"]), exclude_pk=resident.pk)
        new_area = data.get("area") or resident.area
        if data.get("household") is not None and data["household"].area_id != new_area.pk:
            raise ValidationError({"household": [ValidationError(_("该户不在本人所在的村/社区。"), code="other_area")]})
        if ("household" not in data and resident.household_id
                and resident.household.area_id != new_area.pk):
            # Moving to another village leaves the household behind (a household lives in one place).
            data["household"], data["relation_to_head"] = None, ""
        if resident.household_id and data.get("household", resident.household) != resident.household:
            Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
        _bump(resident, expected_version)
        for name in PLAIN_FIELDS:
            if name in data:
                setattr(resident, name, data[name])
        if "household" in data or "relation_to_head" in data:
            _check_household(resident, resident.household, resident.relation_to_head)
        resident.name_initials, resident.name_pinyin = pinyin_of(resident.name)
        _apply_secrets(resident, {k: data[k] for k in SECRET_FIELDS if k in data})
        _review_flag(resident)
        resident.save()
        if resident.household_id and resident.relation_to_head == Relation.HEAD:
            Household.objects.filter(pk=resident.household_id, head=None).update(head=resident)
        after = resident_snapshot(resident)
        record_change(actor, action="update", subject=resident, before=before, after=after,
                      institution_id=inst.pk if inst else None)
        watched_after = _watched(resident)
        changed = tuple(k for k in WATCHED if watched_before[k] != watched_after[k])
        if changed:
            events.publish(events.ResidentChanged(
                resident_id=resident.pk, changed=changed,
                before={k: watched_before[k] for k in changed}, after={k: watched_after[k] for k in changed}))
    return resident


def record_move_away(actor, resident: Resident, moved_on: dt.date, expected_version: int | None = None) -> Resident:
    """The resident moved out of the county (迁出): the record stays, status "moved"."""
    with transaction.atomic():
        resident = Resident.objects.select_related("area").get(pk=resident.pk)
        inst = editing_institution(actor, resident)
        if resident.status != RecordStatus.ACTIVE:
            raise ValidationError(_("只有在管档案可以办理迁出。"))
        if not moved_on or moved_on > timezone.localdate():
            raise ValidationError({"moved_on": [_("迁出日期不能为空或晚于今天。")]})
        _bump(resident, expected_version)
        before = {"status": resident.status, "moved_on": None}
        resident.status, resident.moved_on = RecordStatus.MOVED, moved_on
        resident.save(update_fields=["status", "moved_on"])
        record_change(actor, action="update", subject=resident, before=before, reason="move_away",
                      after={"status": resident.status, "moved_on": moved_on.isoformat()},
                      institution_id=inst.pk if inst else None)
        events.publish(events.ResidentMovedAway(resident_id=resident.pk, moved_on=moved_on))
    return resident


def record_death(actor, resident: Resident, date: dt.date, cause: str = "",
                 expected_version: int | None = None) -> Resident:
    """The resident died: status "deceased"; later apps close enrolments, contracts, referrals."""
    with transaction.atomic():
        resident = Resident.objects.select_related("area").get(pk=resident.pk)
        inst = editing_institution(actor, resident)
        if resident.status in (RecordStatus.DECEASED, RecordStatus.MERGED):
            raise ValidationError(_("该档案已登记死亡或已合并。"))
        if not date or date > timezone.localdate():
            raise ValidationError({"death_date": [_("死亡日期不能为空或晚于今天。")]})
        if date < resident.birth_date:
            raise ValidationError({"death_date": [_("死亡日期不能早于出生日期。")]})
        _bump(resident, expected_version)
        before = {"status": resident.status, "death_date": None, "death_cause": ""}
        resident.status, resident.death_date, resident.death_cause = RecordStatus.DECEASED, date, (cause or "")[:200]
        resident.save(update_fields=["status", "death_date", "death_cause"])
        record_change(actor, action="update", subject=resident, before=before, reason="death",
                      after={"status": resident.status, "death_date": date.isoformat(), "death_cause": cause},
                      institution_id=inst.pk if inst else None)
        events.publish(events.ResidentDied(resident_id=resident.pk, date_of_death=date, cause=cause or ""))
    return resident


def merge_residents(actor, kept: Resident, merged: Resident, reason: str = "") -> ResidentMerge:
    """Fold ``merged`` into ``kept`` (two records of one person). Every app re-points its references in its
    ResidentsMerged handler and records what it moved in ``ResidentMerge.moved`` so undo_merge can restore."""
    if kept.pk == merged.pk:
        raise ValidationError({"merged": [_("不能把档案与自身合并。")]})
    with transaction.atomic():
        kept = Resident.objects.select_related("area").get(pk=kept.pk)
        merged = Resident.objects.select_related("area").get(pk=merged.pk)
        inst = editing_institution(actor, kept)
        editing_institution(actor, merged)
        if RecordStatus.MERGED in (kept.status, merged.status):
            raise ValidationError({"merged": [_("已合并的档案不能再次合并。")]})
        _bump(merged, None)
        merge = ResidentMerge.objects.create(kept=kept, merged=merged, reason=(reason or "")[:200],
                                             merged_by=actor,
                                             moved={"status_before": merged.status})
        merged.status, merged.merged_into = RecordStatus.MERGED, kept
        merged.save(update_fields=["status", "merged_into"])
        events.publish(events.ResidentsMerged(kept_id=kept.pk, merged_id=merged.pk, merge_id=merge.pk))
        merge.refresh_from_db()
        record_change(actor, action="merge", subject=merged, before={"status": merge.moved["status_before"]},
                      after={"status": RecordStatus.MERGED, "merged_into": kept.pk, "merge_id": merge.pk,
                             "reason": reason}, institution_id=inst.pk if inst else None, reason=reason)
    return merge


def undo_merge(actor, merge: ResidentMerge) -> ResidentMerge:
    """Put a merge back: handlers of ResidentsUnmerged restore what they moved; the record returns to its
    status before the merge."""
    with transaction.atomic():
        merge = ResidentMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
        if merge.undone_at:
            raise ValidationError(_("该合并已撤销。"))
        inst = editing_institution(actor, merge.kept)
        claimed = ResidentMerge.objects.filter(pk=merge.pk, undone_at=None).update(
            undone_at=timezone.now(), undone_by=actor)
        if claimed != 1:
            raise ValidationError(_("该合并已撤销。"))
        events.publish(events.ResidentsUnmerged(kept_id=merge.kept_id, restored_id=merge.merged_id,
                                                merge_id=merge.pk))
        restored = merge.merged
        status = (merge.moved or {}).get("status_before", RecordStatus.ACTIVE)
        Resident.objects.filter(pk=restored.pk).update(status=status, merged_into=None, version=F("version") + 1)
        record_change(actor, action="merge", subject=restored, reason="undo", before={"status": RecordStatus.MERGED},
                      after={"status": status, "merge_id": merge.pk}, institution_id=inst.pk if inst else None)
        merge.refresh_from_db()
    return merge


def _moved_put(merge_id: int, key: str, value) -> None:
    merge = ResidentMerge.objects.select_for_update().get(pk=merge_id)
    moved = dict(merge.moved or {})
    moved[key] = value
    merge.moved = moved
    merge.save(update_fields=["moved"])


def on_residents_merged(event: events.ResidentsMerged) -> None:
    """people's own references: encounters, exams, household membership and headship, tags."""
    kept, merged = event.kept_id, event.merged_id
    enc_ids = list(Encounter.objects.filter(resident_id=merged).values_list("pk", flat=True))
    exam_ids = list(HealthExam.objects.filter(resident_id=merged).values_list("pk", flat=True))
    Encounter.objects.filter(pk__in=enc_ids).update(resident_id=kept)
    HealthExam.objects.filter(pk__in=exam_ids).update(resident_id=kept)
    kept_tags = set(ResidentTag.objects.filter(resident_id=kept).values_list("tag", flat=True))
    moved_tags, dropped_tags = [], []
    for tag in ResidentTag.objects.filter(resident_id=merged):
        if tag.tag in kept_tags:
            dropped_tags.append(tag.tag)
            tag.delete()
        else:
            moved_tags.append(tag.pk)
            ResidentTag.objects.filter(pk=tag.pk).update(resident_id=kept)
    heads = list(Household.objects.filter(head_id=merged).values_list("pk", flat=True))
    Household.objects.filter(pk__in=heads).update(head_id=kept)
    merged_row = Resident.objects.filter(pk=merged).values("household_id", "relation_to_head").get()
    kept_row = Resident.objects.filter(pk=kept).values("household_id", "relation_to_head").get()
    household = None
    if merged_row["household_id"] and not kept_row["household_id"]:
        household = merged_row
        Resident.objects.filter(pk=kept).update(household_id=merged_row["household_id"],
                                                relation_to_head=merged_row["relation_to_head"])
    _moved_put(event.merge_id, "people", {
        "encounters": enc_ids, "exams": exam_ids, "tags": moved_tags, "dropped_tags": dropped_tags,
        "household_heads": heads, "household": household})
    for enc in Encounter.objects.filter(pk__in=enc_ids).select_related("resident"):
        after = encounter_payload(enc)
        events.publish(events.EncounterChanged(encounter_id=enc.pk, before={**after, "resident_id": merged},
                                               after=after))


def on_residents_unmerged(event: events.ResidentsUnmerged) -> None:
    merge = ResidentMerge.objects.get(pk=event.merge_id)
    moved = (merge.moved or {}).get("people") or {}
    restored, kept = event.restored_id, event.kept_id
    Encounter.objects.filter(pk__in=moved.get("encounters", []), resident_id=kept).update(resident_id=restored)
    HealthExam.objects.filter(pk__in=moved.get("exams", []), resident_id=kept).update(resident_id=restored)
    ResidentTag.objects.filter(pk__in=moved.get("tags", []), resident_id=kept).update(resident_id=restored)
    for tag in moved.get("dropped_tags", []):
        ResidentTag.objects.get_or_create(resident_id=restored, tag=tag)
    Household.objects.filter(pk__in=moved.get("household_heads", []), head_id=kept).update(head_id=restored)
    if moved.get("household"):
        Resident.objects.filter(pk=kept, household_id=moved["household"]["household_id"]).update(
            household_id=None, relation_to_head="")
    for enc in Encounter.objects.filter(pk__in=moved.get("encounters", [])).select_related("resident"):
        after = encounter_payload(enc)
        events.publish(events.EncounterChanged(encounter_id=enc.pk, before={**after, "resident_id": kept},
                                               after=after))


def add_tag(actor, resident: Resident, tag: str) -> ResidentTag:
    """A manual key-population tag (or a sensitive programme tag, which needs the programme role)."""
    from yigongti.org.scoping import may_see_sensitive

    if tag not in ResidentTag.Tag.values:
        raise ValidationError({"tag": [_("标签不正确。")]})
    with transaction.atomic():
        inst = editing_institution(actor, resident)
        if actor is not None and tag in ResidentTag.SENSITIVE and not may_see_sensitive(actor, tag):
            raise PermissionDenied(_("设置该敏感标签需要相应的专病角色。"))
        row, created = ResidentTag.objects.get_or_create(resident=resident, tag=tag, defaults={"created_by": actor})
        if created:
            record_change(actor, action="update", subject=resident, reason="add_tag", before=None, after={"tag": tag},
                          institution_id=inst.pk if inst else None)
    return row


def remove_tag(actor, resident: Resident, tag: str) -> None:
    from yigongti.org.scoping import may_see_sensitive

    with transaction.atomic():
        inst = editing_institution(actor, resident)
        if actor is not None and tag in ResidentTag.SENSITIVE and not may_see_sensitive(actor, tag):
            raise PermissionDenied(_("移除该敏感标签需要相应的专病角色。"))
        deleted, _rows = ResidentTag.objects.filter(resident=resident, tag=tag).delete()
        if deleted:
            record_change(actor, action="update", subject=resident, reason="remove_tag", before={"tag": tag}, after=None,
                          institution_id=inst.pk if inst else None)


# --- households ---------------------------------------------------------------------------------------


def _next_household_number(area: Area) -> str:
    prefix = _area_prefix(area)
    top = (Household.objects.filter(number__startswith=prefix, number__regex=r"^[0-9]{17}$")
           .aggregate(m=Max("number"))["m"])
    serial = int(top[12:]) + 1 if top else 1
    if serial > 99999:
        raise ValidationError({"household": [_("该村/社区的户编号已用尽。")]})
    return f"{prefix}{serial:05d}"


def _check_household(resident: Resident, household: Household | None, relation: str | None) -> None:
    """A household lives in one village or community; it has one head (户主)."""
    if household is None:
        return
    errors: dict = {}
    if household.area_id != resident.area_id:
        errors["household"] = [ValidationError(_("该户不在本人所在的村/社区。"), code="other_area")]
    if relation == Relation.HEAD and household.head_id not in (None, resident.pk):
        errors["relation_to_head"] = [ValidationError(_("该户已有户主。"), code="head_taken")]
    _raise(errors)


def create_household(actor, resident: Resident, number: str = "", address: str = "") -> Household:
    """Open a household (家庭户) with ``resident`` as its head, in the resident's village or community.
    The number is the 12-digit area code + a 5-digit serial unless given (an imported number); race-safe by
    the unique constraint with a retry."""
    with transaction.atomic():
        resident = Resident.objects.select_related("area").get(pk=resident.pk)
        inst = editing_institution(actor, resident)
        if resident.status == RecordStatus.MERGED:
            raise ValidationError(_("该档案已合并，不能修改。"))
        if resident.household_id:
            raise ValidationError({"household": [_("本人已属于一个家庭户，请先退出。")]})
        number = (number or "").strip()
        if number and Household.objects.filter(number=number).exists():
            raise ValidationError({"household": [_("户编号已存在。")]})
        for _attempt in range(8):
            try:
                with transaction.atomic():
                    home = Household.objects.create(number=number or _next_household_number(resident.area),
                                                    area=resident.area, head=resident,
                                                    address_enc=crypto.encrypt(address))
                break
            except IntegrityError:
                if number:
                    raise ValidationError({"household": [_("户编号已存在。")]}) from None
        else:
            raise ValidationError(_("生成户编号失败，请重试。"))
        _bump(resident, None)
        Resident.objects.filter(pk=resident.pk).update(household=home, relation_to_head=Relation.HEAD)
        record_change(actor, action="create", subject=home, before=None,
                      after={"number": home.number, "area_id": home.area_id, "head_id": resident.pk},
                      institution_id=inst.pk if inst else None)
        record_change(actor, action="update", subject=resident, reason="household",
                      before={"household": None, "relation_to_head": resident.relation_to_head},
                      after={"household": home.pk, "relation_to_head": Relation.HEAD},
                      institution_id=inst.pk if inst else None)
    return home


def join_household(actor, resident: Resident, household: Household, relation: str,
                   expected_version: int | None = None) -> Resident:
    """``resident`` joins ``household`` with the given relation to its head (GB/T 4761, abridged)."""
    if relation not in Relation.values:
        raise ValidationError({"relation_to_head": [_("请选择与户主的关系。")]})
    with transaction.atomic():
        resident = Resident.objects.select_related("area").get(pk=resident.pk)
        household = Household.objects.select_for_update().get(pk=household.pk)
        inst = editing_institution(actor, resident)
        if resident.status == RecordStatus.MERGED:
            raise ValidationError(_("该档案已合并，不能修改。"))
        _check_household(resident, household, relation)
        _bump(resident, expected_version)
        before = {"household": resident.household_id, "relation_to_head": resident.relation_to_head}
        if resident.household_id and resident.household_id != household.pk:
            Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
        Resident.objects.filter(pk=resident.pk).update(household=household, relation_to_head=relation)
        if relation == Relation.HEAD:
            Household.objects.filter(pk=household.pk).update(head=resident)
        elif household.head_id == resident.pk:
            Household.objects.filter(pk=household.pk).update(head=None)
        record_change(actor, action="update", subject=resident, reason="household", before=before,
                      after={"household": household.pk, "relation_to_head": relation},
                      institution_id=inst.pk if inst else None)
        resident.refresh_from_db()
    return resident


def leave_household(actor, resident: Resident, expected_version: int | None = None) -> Resident:
    """``resident`` leaves their household (a head leaves it headless until another member is named head)."""
    with transaction.atomic():
        resident = Resident.objects.select_related("area").get(pk=resident.pk)
        inst = editing_institution(actor, resident)
        if not resident.household_id:
            return resident
        _bump(resident, expected_version)
        before = {"household": resident.household_id, "relation_to_head": resident.relation_to_head}
        Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
        Resident.objects.filter(pk=resident.pk).update(household=None, relation_to_head="")
        record_change(actor, action="update", subject=resident, reason="household", before=before,
                      after={"household": None, "relation_to_head": ""}, institution_id=inst.pk if inst else None)
        resident.refresh_from_db()
    return resident


# --- health exams ------------------------------------------------------------------------------------

_RANGES = {
    "systolic_left": (50, 300), "systolic_right": (50, 300), "diastolic_left": (30, 200),
    "diastolic_right": (30, 200), "pulse": (20, 250), "respiration": (5, 80), "temperature": (30, 45),
    "height": (30, 250), "weight": (1, 300), "waist": (20, 250), "fasting_glucose": (Decimal("0.5"), 40),
    "systolic": (50, 300), "diastolic": (30, 200),
}


def _check_ranges(data: dict, errors: dict) -> None:
    for name, (low, high) in _RANGES.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            errors.setdefault(name, []).append(ValidationError(_("请输入数字。"), code="invalid"))
            continue
        if not (Decimal(str(low)) <= number <= Decimal(str(high))):
            errors.setdefault(name, []).append(ValidationError(
                _("数值应在 %(low)s 至 %(high)s 之间。"), code="out_of_range", params={"low": low, "high": high}))
    for s, d in (("systolic_left", "diastolic_left"), ("systolic_right", "diastolic_right"),
                 ("systolic", "diastolic")):
        if data.get(s) and data.get(d) and s not in errors and d not in errors and int(data[d]) >= int(data[s]):
            errors.setdefault(d, []).append(ValidationError(_("舒张压应低于收缩压。"), code="bp_order"))
        if bool(data.get(s)) != bool(data.get(d)):
            missing = d if data.get(s) else s
            errors.setdefault(missing, []).append(ValidationError(_("收缩压和舒张压需同时填写。"), code="bp_pair"))


def bmi_of(height_cm, weight_kg) -> Decimal | None:
    """BMI = kg / m², one decimal."""
    if not height_cm or not weight_kg:
        return None
    metres = Decimal(str(height_cm)) / 100
    return (Decimal(str(weight_kg)) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def exam_payload(e: HealthExam) -> dict:
    return {"resident_id": e.resident_id, "institution_id": e.institution_id, "exam_date": e.exam_date.isoformat(),
            "systolic": e.systolic_left or e.systolic_right, "diastolic": e.diastolic_left or e.diastolic_right,
            "fasting_glucose": _iso(e.fasting_glucose), "bmi": _iso(e.bmi)}


def record_exam(actor, *, institution: Institution, resident: Resident, **fields) -> HealthExam:
    """A health exam (健康体检表). Fields: exam_date (required) and any HealthExam field (systolic_left,
    diastolic_left, systolic_right, diastolic_right, height, weight, waist, fasting_glucose, …). BMI is
    computed. Publishes ExamChanged, VitalsRecorded (when BP or glucose present), ServiceDelivered
    "health_exam"."""
    _check_acting(actor, institution)
    unknown = set(fields) - set(EXAM_FIELDS)
    if unknown:
        raise TypeError(f"record_exam: unknown fields {sorted(unknown)}")
    errors: dict = {}
    exam_date = fields.get("exam_date")
    if not exam_date:
        errors["exam_date"] = [ValidationError(_("请填写体检日期。"), code="required")]
    elif exam_date > timezone.localdate():
        errors["exam_date"] = [ValidationError(_("体检日期不能晚于今天。"), code="future")]
    elif exam_date < resident.birth_date:
        errors["exam_date"] = [ValidationError(_("体检日期不能早于出生日期。"), code="before_birth")]
    _check_ranges(fields, errors)
    _raise(errors)
    if resident.status == RecordStatus.MERGED:
        raise ValidationError(_("该档案已合并，请在保留的档案上记录。"))
    with transaction.atomic():
        exam = HealthExam(resident=resident, institution=institution, doctor=fields.pop("doctor", None) or actor)
        for name, value in fields.items():
            setattr(exam, name, value)
        exam.bmi = bmi_of(exam.height, exam.weight)
        exam.save()
        after = exam_payload(exam)
        record_change(actor, action="create", subject=exam, before=None, after=after, institution_id=institution.pk)
        events.publish(events.ExamChanged(exam_id=exam.pk, before=None, after=after))
        _publish_vitals(exam.resident_id, institution.pk, exam.exam_date, "exam", exam.pk,
                        after["systolic"], after["diastolic"], exam.fasting_glucose)
        events.publish(events.ServiceDelivered(resident_id=resident.pk, service_code="health_exam",
                                               institution_id=institution.pk, delivered_on=exam.exam_date,
                                               source="exam", source_id=exam.pk))
    return exam


def _publish_vitals(resident_id, institution_id, on, source, source_id, systolic, diastolic, glucose) -> None:
    if systolic or glucose:
        events.publish(events.VitalsRecorded(
            resident_id=resident_id, institution_id=institution_id, measured_on=on, source=source,
            source_id=source_id, systolic=int(systolic) if systolic else None,
            diastolic=int(diastolic) if diastolic else None,
            fasting_glucose=float(glucose) if glucose is not None and glucose != "" else None))


# --- encounters --------------------------------------------------------------------------------------


def encounter_payload(e: Encounter) -> dict:
    """The EncounterChanged before/after shape the indicator rollups read (helpers-brief "Events")."""
    return {
        "resident_id": e.resident_id, "institution_id": e.institution_id, "department_id": e.department_id,
        "kind": e.kind, "visit_date": e.visit_date.isoformat(),
        "discharge_date": e.discharge_date.isoformat() if e.discharge_date else None,
        **{name: str(Decimal(getattr(e, name)).quantize(Decimal("0.01"))) for name in COST_FIELDS},
        "is_tcm": bool(e.is_tcm), "primary_diagnosis": e.primary_diagnosis,
        "area_id": Resident.objects.filter(pk=e.resident_id).values_list("area_id", flat=True).first(),
    }


def _money(value, name: str, errors: dict) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        errors.setdefault(name, []).append(ValidationError(_("请输入金额（元）。"), code="invalid"))
        return Decimal("0.00")
    if amount < 0:
        errors.setdefault(name, []).append(ValidationError(_("金额不能为负数。"), code="negative"))
    elif amount >= Decimal("10000000000"):
        errors.setdefault(name, []).append(ValidationError(_("金额过大。"), code="too_large"))
    return amount


def _valid_icd(code: str) -> bool:
    return Icd10Code.objects.filter(code__iexact=code, active=True).exists()


def _validate_encounter(data: dict, institution: Institution, resident: Resident) -> None:
    """Costs: non-negative, each part and the parts together ≤ total, insurance ≤ total; ICD-10 codes from
    the catalogue; inpatient discharge not before admission (consortium-indicators.md: 均次费用, 药占比)."""
    errors: dict = {}
    if data.get("kind") not in EncounterKind.values:
        errors["kind"] = [ValidationError(_("请选择就诊类型。"), code="required")]
    visit = data.get("visit_date")
    if not visit:
        errors["visit_date"] = [ValidationError(_("请填写就诊日期。"), code="required")]
    elif visit > timezone.localdate():
        errors["visit_date"] = [ValidationError(_("就诊日期不能晚于今天。"), code="future")]
    elif visit < resident.birth_date:
        errors["visit_date"] = [ValidationError(_("就诊日期不能早于出生日期。"), code="before_birth")]
    discharge = data.get("discharge_date")
    if discharge:
        if data.get("kind") != EncounterKind.INPATIENT:
            errors["discharge_date"] = [ValidationError(_("只有住院记录填写出院日期。"), code="not_inpatient")]
        elif visit and discharge < visit:
            errors["discharge_date"] = [ValidationError(_("出院日期不能早于入院日期。"), code="before_admission")]
        elif discharge > timezone.localdate():
            errors["discharge_date"] = [ValidationError(_("出院日期不能晚于今天。"), code="future")]
    code = (data.get("primary_diagnosis") or "").strip()
    if not code:
        errors["primary_diagnosis"] = [ValidationError(_("请填写主要诊断（ICD-10编码）。"), code="required")]
    elif not _valid_icd(code):
        errors["primary_diagnosis"] = [ValidationError(
            _("ICD-10编码 %(code)s 不在疾病分类目录中。"), code="unknown_icd", params={"code": code})]
    else:
        data["primary_diagnosis"] = Icd10Code.objects.filter(code__iexact=code).values_list("code", flat=True)[0]
    others = data.get("other_diagnoses") or []
    bad = [c for c in others if not _valid_icd(str(c).strip())]
    if bad:
        errors["other_diagnoses"] = [ValidationError(
            _("以下编码不在疾病分类目录中：%(codes)s"), code="unknown_icd", params={"codes": "、".join(map(str, bad))})]
    for name in COST_FIELDS:
        data[name] = _money(data.get(name), name, errors)
    total = data["total_cost"]
    if "total_cost" not in errors:
        for name in ("drug_cost", "consumables_cost", "medical_service_income", "insurance_paid"):
            if name not in errors and data[name] > total:
                errors[name] = [ValidationError(_("不能超过总费用。"), code="exceeds_total")]
        parts = data["drug_cost"] + data["consumables_cost"] + data["medical_service_income"]
        if parts > total and not any(n in errors for n in COST_FIELDS):
            errors["total_cost"] = [ValidationError(
                _("药品费、耗材费与医疗服务性收入之和（%(parts)s）超过总费用。"), code="parts_exceed_total",
                params={"parts": parts})]
    department = data.get("department")
    if department is not None and department.institution_id != institution.pk:
        errors["department"] = [ValidationError(_("科室不属于该机构。"), code="other_institution")]
    _check_ranges(data, errors)
    _raise(errors)
    if data.get("is_tcm") is None:
        data["is_tcm"] = bool(department and department.is_tcm)


def _encounter_data(fields: dict) -> dict:
    unknown = set(fields) - set(ENCOUNTER_FIELDS)
    if unknown:
        raise TypeError(f"encounter: unknown fields {sorted(unknown)}")
    data = dict(fields)
    data.setdefault("other_diagnoses", [])
    data.setdefault("is_tcm", None)
    return data


def _save_encounter(actor, enc: Encounter, data: dict, *, action: str, before: dict | None) -> Encounter:
    for name, value in data.items():
        setattr(enc, name, value)
    enc.save()
    after = encounter_payload(enc)
    record_change(actor, action=action, subject=enc, before=before, after=after, institution_id=enc.institution_id)
    events.publish(events.EncounterChanged(encounter_id=enc.pk, before=before, after=after))
    if enc.systolic or enc.fasting_glucose is not None:
        _publish_vitals(enc.resident_id, enc.institution_id, enc.visit_date, "encounter", enc.pk,
                        enc.systolic, enc.diastolic, enc.fasting_glucose)
    if action == "create":
        # A visit or stay is a service a contract or an indicator may count (design: "How one app's action
        # reaches another"): "encounter_outpatient", "encounter_inpatient", "encounter_emergency".
        events.publish(events.ServiceDelivered(resident_id=enc.resident_id, service_code=f"encounter_{enc.kind}",
                                               institution_id=enc.institution_id, delivered_on=enc.visit_date,
                                               source="encounter", source_id=enc.pk))
    return enc


# Who owns an encounter's drug cost (design "Who owns which data"; issue 14 item 5): for an institution
# whose dispensing runs on this platform, the drug cost comes only from dispensing (set_encounter_drug_cost),
# never typed, so it is never counted twice in 药占比. A layer-4 app registers a predicate
# (institution_id, visit_date) -> bool; people does not import it.
_DRUG_COST_OWNERS: list = []


def register_drug_cost_owner(predicate) -> None:
    if predicate not in _DRUG_COST_OWNERS:
        _DRUG_COST_OWNERS.append(predicate)


def drug_cost_is_dispensed(institution_id: int, visit_date) -> bool:
    return any(owner(institution_id, visit_date) for owner in _DRUG_COST_OWNERS)


def _refuse_typed_drug_cost(data: dict, institution: Institution, current) -> None:
    if data.get("drug_cost") != current and drug_cost_is_dispensed(institution.pk, data.get("visit_date")):
        raise ValidationError({"drug_cost": [ValidationError(
            _("%(inst)s的药品费由本平台发药自动计入，不能手工填写。"), code="dispensed_cost",
            params={"inst": institution.name})]})


def set_encounter_drug_cost(actor, encounter: Encounter, amount: Decimal, *, reason: str) -> Encounter:
    """The drug cost of a platform encounter := what was dispensed on it (the only writer of that field for
    an institution whose dispensing runs here). The total follows by the difference; audited with the
    reason; EncounterChanged keeps 药占比 live."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount < 0:
        raise ValidationError({"drug_cost": [_("金额不能为负。")]})
    with transaction.atomic():
        enc = Encounter.objects.select_for_update().select_related("institution").get(pk=encounter.pk)
        _check_acting(actor, enc.institution)
        if enc.source != EncounterSource.YIGONGTI:
            raise ValidationError(_("该就诊记录由HIS接入，只读。"))
        if enc.drug_cost == amount:
            return enc
        before = encounter_payload(enc)
        enc.total_cost = enc.total_cost - enc.drug_cost + amount
        enc.drug_cost = amount
        enc.version += 1
        enc.save(update_fields=["drug_cost", "total_cost", "version"])
        after = encounter_payload(enc)
        record_change(actor, action="update", subject=enc, before=before, after=after,
                      institution_id=enc.institution_id, reason=reason)
        events.publish(events.EncounterChanged(encounter_id=enc.pk, before=before, after=after))
        return enc


def record_encounter(actor, *, institution: Institution, resident: Resident, **fields) -> Encounter:
    """An encounter entered here: only for institutions whose clinical system is this platform (design:
    "Who owns which data"). Fields: kind, visit_date, discharge_date, department, primary_diagnosis (ICD-10),
    other_diagnoses, systolic, diastolic, fasting_glucose, the five cost fields (yuan), is_tcm."""
    _check_acting(actor, institution)
    if institution.clinical_system != ClinicalSystem.YIGONGTI:
        raise ValidationError(_("%(inst)s的就诊数据来自其HIS系统，由接口导入，不能在本平台录入。")
                              % {"inst": institution.name})
    if resident.status == RecordStatus.MERGED:
        raise ValidationError(_("该档案已合并，请在保留的档案上记录。"))
    data = _encounter_data(fields)
    data.setdefault("doctor", actor)
    _validate_encounter(data, institution, resident)
    _refuse_typed_drug_cost(data, institution, Decimal("0.00"))
    with transaction.atomic():
        enc = Encounter(resident=resident, institution=institution, source=EncounterSource.YIGONGTI)
        return _save_encounter(actor, enc, data, action="create", before=None)


def ingest_encounter(actor, *, institution: Institution, external_id: str, source: str = EncounterSource.HIS,
                     resident: Resident, **fields) -> tuple[Encounter, str]:
    """Take an encounter from an external HIS, idempotent on (institution, source, external_id): the same
    row imported twice changes nothing; a changed row updates the encounter. Returns (encounter, status)
    with status "created", "updated" or "unchanged"."""
    _check_acting(actor, institution)
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationError({"external_id": [_("请提供外部编号。")]})
    data = _encounter_data(fields)
    _validate_encounter(data, institution, resident)
    with transaction.atomic():
        enc = (Encounter.objects.select_for_update()
               .filter(institution=institution, source=source, external_id=external_id).first())
        if enc is None:
            try:
                with transaction.atomic():
                    enc = Encounter(resident=resident, institution=institution, source=source,
                                    external_id=external_id)
                    return _save_encounter(actor, enc, data, action="create", before=None), "created"
            except IntegrityError:
                enc = Encounter.objects.get(institution=institution, source=source, external_id=external_id)
        data["resident"] = resident
        before = encounter_payload(enc)
        if all(getattr(enc, k) == v for k, v in data.items()):
            return enc, "unchanged"
        enc.version += 1
        return _save_encounter(actor, enc, data, action="update", before=before), "updated"


def _editable_encounter(actor, encounter: Encounter, expected_version: int | None) -> Encounter:
    enc = Encounter.objects.select_related("institution", "resident").get(pk=encounter.pk)
    _check_acting(actor, enc.institution)
    if enc.source != EncounterSource.YIGONGTI:
        raise ValidationError(_("该就诊记录由HIS接入，只读。"))
    if expected_version is not None and enc.version != expected_version:
        raise StaleVersion()
    claimed = Encounter.objects.filter(pk=enc.pk, version=enc.version).update(version=F("version") + 1)
    if claimed != 1:
        raise StaleVersion()
    enc.version += 1
    return enc


def update_encounter(actor, encounter: Encounter, expected_version: int | None, **changes) -> Encounter:
    with transaction.atomic():
        enc = _editable_encounter(actor, encounter, expected_version)
        before = encounter_payload(enc)
        data = {name: getattr(enc, name) for name in ENCOUNTER_FIELDS}
        data.update(_encounter_data(changes))
        if "department" in changes and "is_tcm" not in changes:
            data["is_tcm"] = None
        _validate_encounter(data, enc.institution, enc.resident)
        _refuse_typed_drug_cost(data, enc.institution, enc.drug_cost)
        return _save_encounter(actor, enc, data, action="update", before=before)


def delete_encounter(actor, encounter: Encounter, expected_version: int | None = None) -> None:
    with transaction.atomic():
        enc = _editable_encounter(actor, encounter, expected_version)
        before = encounter_payload(enc)
        record_change(actor, action="delete", subject=enc, before=before, after=None,
                      institution_id=enc.institution_id)
        pk = enc.pk
        enc.delete()
        events.publish(events.EncounterChanged(encounter_id=pk, before=before, after=None))


def residents_needing_review() -> Iterable[Resident]:
    return Resident.objects.filter(needs_review=True).exclude(status=RecordStatus.MERGED)
