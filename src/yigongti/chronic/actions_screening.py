"""Screening (spec §HT/§DM screening [C]): every BP or fasting glucose that enters the platform arrives as a
``VitalsRecorded`` event; residents ≥35 not in the programme are screened by ``rules.screening.screen`` on
their readings of the last year, and an open ``ScreeningFlag`` says what to do next (re-check on another
day, refer to confirm, 6-monthly BP for high-risk people). A doctor confirms (→ enrol) or dismisses."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti import events
from yigongti.audit.log import record_change
from yigongti.people.keypops import age_on
from yigongti.people.models import Encounter, HealthExam, Resident
from yigongti.rules import screening as screening_rules

from . import conf
from .actions import _check_acting, enrol
from .models import Enrolment, EnrolmentStatus, ScreeningFlag, Visit


def readings_of(resident_id: int, until: dt.date) -> list[screening_rules.Reading]:
    """The resident's BP and fasting-glucose readings of the year up to ``until`` from every source (exams,
    encounters, standalone measurements, follow-ups); one query per source."""
    since = until - dt.timedelta(days=screening_rules.LOOKBACK_DAYS)
    out: list[screening_rules.Reading] = []
    for row in HealthExam.objects.filter(resident_id=resident_id, exam_date__range=(since, until)).values(
            "exam_date", "systolic_left", "diastolic_left", "systolic_right", "diastolic_right", "fasting_glucose"):
        sbp = max(filter(None, (row["systolic_left"], row["systolic_right"])), default=None)
        dbp = max(filter(None, (row["diastolic_left"], row["diastolic_right"])), default=None)
        out.append(screening_rules.Reading(row["exam_date"], sbp, dbp, row["fasting_glucose"]))
    for row in Encounter.objects.filter(resident_id=resident_id, visit_date__range=(since, until)).exclude(
            systolic__isnull=True, fasting_glucose__isnull=True).values(
            "visit_date", "systolic", "diastolic", "fasting_glucose"):
        out.append(screening_rules.Reading(row["visit_date"], row["systolic"], row["diastolic"], row["fasting_glucose"]))
    try:
        from yigongti.people.models import Measurement
    except ImportError:  # pragma: no cover - standalone measurements arrived with the FHIR issue
        Measurement = None
    if Measurement is not None:
        glucose_code = getattr(Measurement.Code, "FASTING_GLUCOSE", None)
        for row in Measurement.objects.filter(resident_id=resident_id, measured_at__date__range=(since, until)).values(
                "measured_at", "code", "systolic", "diastolic", "value"):
            day = timezone.localtime(row["measured_at"]).date()
            if row["systolic"] is not None:
                out.append(screening_rules.Reading(day, row["systolic"], row["diastolic"]))
            elif glucose_code is not None and row["code"] == glucose_code:
                out.append(screening_rules.Reading(day, fasting_glucose=row["value"]))
    for row in Visit.objects.filter(resident_id=resident_id, visit_date__range=(since, until)).exclude(
            systolic__isnull=True, fasting_glucose__isnull=True).values(
            "visit_date", "systolic", "diastolic", "fasting_glucose"):
        out.append(screening_rules.Reading(row["visit_date"], row["systolic"], row["diastolic"], row["fasting_glucose"]))
    return out


def screen_resident(resident_id: int, on: dt.date, institution_id: int | None = None) -> list[ScreeningFlag]:
    """Screen one resident now and keep their open flags in step; returns the open flags it touched."""
    resident = Resident.objects.filter(pk=resident_id).values("birth_date", "status").first()
    if resident is None or resident["status"] != "active":
        return []
    age = age_on(resident["birth_date"], on)
    if age < conf.get("SCREENING_MIN_AGE"):
        return []
    enrolled = set(Enrolment.objects.filter(resident_id=resident_id, status=EnrolmentStatus.ACTIVE)
                   .values_list("programme", flat=True))
    result = screening_rules.screen(readings_of(resident_id, on), age=age, enrolled=frozenset(enrolled),
                                    min_age=conf.get("SCREENING_MIN_AGE"))
    touched = []
    for condition in screening_rules.CONDITIONS:
        outcome = result.for_condition(condition)
        flag = ScreeningFlag.objects.filter(resident_id=resident_id, condition=condition,
                                            status=ScreeningFlag.Status.OPEN).first()
        if outcome.action == screening_rules.NONE:
            if flag is not None and condition not in enrolled and outcome.latest_on:
                # a re-check came back normal: the flag closes itself, with the reason kept
                flag.status, flag.note, flag.closed_at = ScreeningFlag.Status.DISMISSED, "recheck_normal", timezone.now()
                flag.save(update_fields=["status", "note", "closed_at"])
            continue
        fields = {"action": outcome.action, "latest_on": outcome.latest_on,
                  "first_raised_on": outcome.raised_days[0] if outcome.raised_days else None,
                  "readings_count": len(outcome.raised_days), "due_on": screening_rules.due_recheck_after(outcome)}
        if flag is None:
            flag = ScreeningFlag.objects.create(resident_id=resident_id, condition=condition,
                                                institution_id=institution_id, **fields)
        else:
            for k, v in fields.items():
                setattr(flag, k, v)
            flag.save(update_fields=list(fields))
        touched.append(flag)
    return touched


def on_vitals_recorded(event: events.VitalsRecorded) -> None:
    """VitalsRecorded → screening of residents ≥35 not in the programme (same transaction)."""
    screen_resident(event.resident_id, event.measured_on, event.institution_id)


def _open_flag(flag: ScreeningFlag) -> ScreeningFlag:
    flag = ScreeningFlag.objects.select_for_update(of=("self",)).select_related("resident").get(pk=flag.pk)
    if flag.status != ScreeningFlag.Status.OPEN:
        raise ValidationError({"__all__": [_("该筛查提示已处理。")]})
    return flag


def confirm_screening(actor, flag: ScreeningFlag, *, managing_institution, icd10_code: str,
                      diagnosis_date: dt.date, diagnosing_institution=None, managing_doctor=None) -> Enrolment:
    """A doctor confirms the diagnosis and enrols (primary hypertension only: I15 is referred, not enrolled)."""
    _check_acting(actor, managing_institution)
    with transaction.atomic():
        flag = _open_flag(flag)
        e = enrol(actor, resident=flag.resident, programme=flag.condition, icd10_code=icd10_code,
                  diagnosis_date=diagnosis_date, diagnosing_institution=diagnosing_institution,
                  managing_institution=managing_institution, managing_doctor=managing_doctor or actor)
        flag.status, flag.closed_by, flag.closed_at = ScreeningFlag.Status.CONFIRMED, actor, timezone.now()
        flag.save(update_fields=["status", "closed_by", "closed_at"])
        record_change(actor, action="update", subject=flag, before={"status": "open"},
                      after={"status": flag.status, "enrolment_id": e.pk}, institution_id=managing_institution.pk)
    return e


def dismiss_screening(actor, flag: ScreeningFlag, *, institution, note: str) -> ScreeningFlag:
    """Not the programme's disease (e.g. white-coat readings, secondary hypertension referred): kept with a note.
    Only staff of the institution where the raised reading was taken (``flag.institution``) may dismiss it."""
    institution = flag.institution or institution
    _check_acting(actor, institution)
    if len((note or "").strip()) < 2:
        raise ValidationError({"note": [_("请说明排除的理由。")]})
    with transaction.atomic():
        flag = _open_flag(flag)
        flag.status, flag.note = ScreeningFlag.Status.DISMISSED, note.strip()[:200]
        flag.closed_by, flag.closed_at = actor, timezone.now()
        flag.save(update_fields=["status", "note", "closed_by", "closed_at"])
        record_change(actor, action="update", subject=flag, before={"status": "open"},
                      after={"status": flag.status, "note": flag.note}, institution_id=institution.pk)
    return flag
