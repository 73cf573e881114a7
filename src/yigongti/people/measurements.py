"""Standalone vital signs and measurements (people.Measurement): a blood pressure, a glucose, a weight taken
outside an exam or an encounter, or pushed by a HIS or a device gateway (FHIR Observation). Recorded through
``record_measurement`` like every other change: validated, acting institution checked, audited, and a blood
pressure or fasting glucose publishes VitalsRecorded so screening runs on it as on an exam.

    m, created = record_measurement(actor, institution=clinic, resident=r, code="85354-9",
                                    measured_at=now, systolic=150, diastolic=95, source="his",
                                    external_id="OBS-1")
    update_measurement(actor, m, systolic=148, diastolic=92)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti import events
from yigongti.audit.log import record_change
from yigongti.org.access import institution_ids
from yigongti.org.models import Institution

from .actions import _check_acting, _moved_put
from .models import Encounter, Measurement, RecordStatus, Resident
from .timeline import Entry

Code = Measurement.Code
# The one unit each code is stored in (UCUM).
UNITS = {Code.BLOOD_PRESSURE: "mm[Hg]", Code.FASTING_GLUCOSE: "mmol/L", Code.WEIGHT: "kg", Code.HEIGHT: "cm",
         Code.BMI: "kg/m2", Code.HEART_RATE: "/min"}
# Plausible ranges (the same bounds as the exam form, people.actions._RANGES).
RANGES = {Code.FASTING_GLUCOSE: (Decimal("0.5"), Decimal("40")), Code.WEIGHT: (Decimal("1"), Decimal("300")),
          Code.HEIGHT: (Decimal("30"), Decimal("250")), Code.BMI: (Decimal("5"), Decimal("100")),
          Code.HEART_RATE: (Decimal("20"), Decimal("250"))}
BP_RANGES = {"systolic": (50, 300), "diastolic": (30, 200)}
VALUE_FIELDS = ("measured_at", "code", "value", "systolic", "diastolic", "unit", "encounter")


def measurement_payload(m: Measurement) -> dict:
    return {"resident_id": m.resident_id, "institution_id": m.institution_id, "code": m.code,
            "measured_at": m.measured_at.isoformat(), "value": str(m.value) if m.value is not None else None,
            "systolic": m.systolic, "diastolic": m.diastolic, "unit": m.unit, "source": m.source,
            "external_id": m.external_id, "encounter_id": m.encounter_id}


def _validate(data: dict, resident: Resident, institution: Institution) -> None:
    errors: dict = {}
    code = data.get("code")
    if code not in Code.values:
        errors["code"] = [ValidationError(_("不支持的测量项目编码 %(code)s。"), code="unknown_code",
                                          params={"code": code or ""})]
    when = data.get("measured_at")
    if not isinstance(when, dt.datetime):
        errors["measured_at"] = [ValidationError(_("请填写测量时间。"), code="required")]
    else:
        if timezone.is_naive(when):
            when = data["measured_at"] = timezone.make_aware(when)
        if when > timezone.now() + dt.timedelta(minutes=5):
            errors["measured_at"] = [ValidationError(_("测量时间不能晚于现在。"), code="future")]
        elif timezone.localdate(when) < resident.birth_date:
            errors["measured_at"] = [ValidationError(_("测量时间不能早于出生日期。"), code="before_birth")]
    unit = data.get("unit") or UNITS.get(code, "")
    if code in UNITS and unit != UNITS[code]:
        errors["unit"] = [ValidationError(_("单位应为 %(unit)s。"), code="unit", params={"unit": UNITS[code]})]
    data["unit"] = unit
    if code == Code.BLOOD_PRESSURE:
        data["value"] = None
        for name, (low, high) in BP_RANGES.items():
            raw = data.get(name)
            try:
                number = int(raw)
            except (TypeError, ValueError):
                errors[name] = [ValidationError(_("收缩压和舒张压需同时填写。"), code="bp_pair")]
                continue
            if not low <= number <= high:
                errors[name] = [ValidationError(_("数值应在 %(low)s 至 %(high)s 之间。"), code="out_of_range",
                                                params={"low": low, "high": high})]
            data[name] = number
        if not errors.get("systolic") and not errors.get("diastolic") and data["diastolic"] >= data["systolic"]:
            errors["diastolic"] = [ValidationError(_("舒张压应低于收缩压。"), code="bp_order")]
    elif code in RANGES:
        data["systolic"] = data["diastolic"] = None
        try:
            number = Decimal(str(data.get("value"))).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            errors["value"] = [ValidationError(_("请输入数字。"), code="invalid")]
        else:
            low, high = RANGES[code]
            if not low <= number <= high:
                errors["value"] = [ValidationError(_("数值应在 %(low)s 至 %(high)s 之间。"), code="out_of_range",
                                                   params={"low": low, "high": high})]
            data["value"] = number
    encounter = data.get("encounter")
    if encounter is not None and encounter.resident_id != resident.pk:
        errors["encounter"] = [ValidationError(_("就诊记录不属于该居民。"), code="other_resident")]
    if errors:
        raise ValidationError(errors)
    if resident.status == RecordStatus.MERGED:
        raise ValidationError(_("该档案已合并，请在保留的档案上记录。"))


def _publish(m: Measurement) -> None:
    if m.code == Code.BLOOD_PRESSURE or m.code == Code.FASTING_GLUCOSE:
        events.publish(events.VitalsRecorded(
            resident_id=m.resident_id, institution_id=m.institution_id, measured_on=timezone.localdate(m.measured_at),
            source="measurement", source_id=m.pk, systolic=m.systolic, diastolic=m.diastolic,
            fasting_glucose=float(m.value) if m.code == Code.FASTING_GLUCOSE else None))


def record_measurement(actor, *, institution: Institution, resident: Resident, code: str,
                       measured_at: dt.datetime, value=None, systolic=None, diastolic=None, unit: str = "",
                       source: str = "yigongti", external_id: str = "",
                       encounter: Encounter | None = None) -> tuple[Measurement, bool]:
    """Record one measurement; returns (measurement, created). Idempotent on (institution, source,
    external_id): the same external measurement sent twice is recorded once (the second call returns the
    first record, created=False)."""
    _check_acting(actor, institution)
    data = {"code": code, "measured_at": measured_at, "value": value, "systolic": systolic,
            "diastolic": diastolic, "unit": unit, "encounter": encounter}
    _validate(data, resident, institution)
    external_id = (external_id or "").strip()[:64]
    source = (source or "yigongti").strip()[:16]
    with transaction.atomic():
        if external_id:
            existing = Measurement.objects.filter(institution=institution, source=source,
                                                  external_id=external_id).first()
            if existing is not None:
                return existing, False
        try:
            with transaction.atomic():
                m = Measurement.objects.create(resident=resident, institution=institution, source=source,
                                               external_id=external_id, recorded_by=actor, **data)
        except IntegrityError:
            return Measurement.objects.get(institution=institution, source=source, external_id=external_id), False
        record_change(actor, action="create", subject=m, before=None, after=measurement_payload(m),
                      institution_id=institution.pk)
        _publish(m)
    return m, True


def update_measurement(actor, measurement: Measurement, **changes) -> Measurement:
    """Correct a measurement (value, time, unit, code); audited; a corrected blood pressure or glucose is
    published again (screening looks at the new value)."""
    unknown = set(changes) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"update_measurement: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        m = Measurement.objects.select_for_update().select_related("resident", "institution").get(pk=measurement.pk)
        _check_acting(actor, m.institution)
        before = measurement_payload(m)
        data = {name: getattr(m, name) for name in VALUE_FIELDS}
        data.update(changes)
        _validate(data, m.resident, m.institution)
        for name, value in data.items():
            setattr(m, name, value)
        m.save()
        after = measurement_payload(m)
        if after != before:
            record_change(actor, action="update", subject=m, before=before, after=after,
                          institution_id=m.institution_id)
            _publish(m)
    return m


def visible_measurements(user) -> QuerySet[Measurement]:
    """Measurements of residents the user may see, plus those taken at the user's institutions."""
    from .queries import visible_residents

    if not getattr(user, "is_authenticated", False):
        return Measurement.objects.none()
    return Measurement.objects.filter(Q(resident__in=visible_residents(user).values("pk"))
                                      | Q(institution_id__in=institution_ids(user)))


def describe(m: Measurement) -> str:
    if m.code == Code.BLOOD_PRESSURE:
        return str(_("血压 %(s)s/%(d)s mmHg") % {"s": m.systolic, "d": m.diastolic})
    return f"{m.get_code_display()} {m.value.normalize() if m.value is not None else ''} {m.unit}"


def timeline_entries(resident, user) -> Iterable[Entry]:
    for m in resident.measurements.select_related("institution").order_by("-measured_at", "-pk")[:100]:
        yield Entry(timezone.localdate(m.measured_at), "measurement", str(_("体征测量")), describe(m),
                    m.institution.short_name or m.institution.name, m.source)


def on_residents_merged(event: events.ResidentsMerged) -> None:
    ids = list(Measurement.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    Measurement.objects.filter(pk__in=ids).update(resident_id=event.kept_id)
    _moved_put(event.merge_id, "measurements", ids)


def on_residents_unmerged(event: events.ResidentsUnmerged) -> None:
    from .models import ResidentMerge

    ids = (ResidentMerge.objects.get(pk=event.merge_id).moved or {}).get("measurements") or []
    Measurement.objects.filter(pk__in=ids, resident_id=event.kept_id).update(resident_id=event.restored_id)
