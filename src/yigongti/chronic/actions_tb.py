"""TB cases arrive as notifications from the national vertical system (design: "Who owns which data"). The
72-hour first home visit counts from the notification's arrival (spec §TB [C]); the phase schedule comes
from the notified regimen (``rules.tb``)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.rules import chronic as chronic_rules
from yigongti.rules import tb as tb_rules

from .actions import _check_acting, enrol
from .models import FirstVisitAttempt, Notification


def import_tb_notification(actor, *, external_id: str, resident, arrived_at: dt.datetime, regimen: str,
                           treatment_start: dt.date, supervision: str, managing_institution,
                           managing_doctor=None, reported_by: str = "", icd10_code: str = "A15.0") -> Notification:
    """Import one notified case (idempotent on ``external_id``) and enrol the resident in the TB programme;
    the first follow-up is the home visit due 72 hours after arrival."""
    _check_acting(actor, managing_institution)
    errors = {}
    if not external_id:
        errors["external_id"] = [_("请填写报告卡编号。")]
    if arrived_at is None or timezone.is_naive(arrived_at):
        errors["arrived_at"] = [_("请填写推送到达时间（含时区）。")]
    try:
        tb_rules.parse_regimen(regimen)
    except chronic_rules.RuleError:
        errors["regimen"] = [_("治疗方案格式不正确（如 2HRZE/4HR）。")]
    if supervision not in tb_rules.SUPERVISION:
        errors["supervision"] = [_("督导方式不正确。")]
    if errors:
        raise ValidationError(errors)
    existing = Notification.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        deadline = timezone.localtime(tb_rules.first_visit_deadline(arrived_at)).date()
        e = enrol(actor, resident=resident, programme="tb", icd10_code=icd10_code, managing_institution=managing_institution,
                  managing_doctor=managing_doctor, enrolled_on=timezone.localtime(arrived_at).date(),
                  details={"regimen": regimen, "treatment_start": treatment_start.isoformat(), "supervision": supervision},
                  next_due=deadline)
        n = Notification.objects.create(external_id=external_id, resident=resident, arrived_at=arrived_at,
                                        regimen=regimen, treatment_start=treatment_start, supervision=supervision,
                                        reported_by=reported_by[:120], managing_institution=managing_institution,
                                        enrolment=e)
        record_change(actor, action="create", subject=n, before=None,
                      after={"external_id": external_id, "regimen": regimen, "arrived_at": arrived_at.isoformat()},
                      institution_id=managing_institution.pk)
    return n


def first_visit_status(n: Notification, now: dt.datetime | None = None) -> str:
    return tb_rules.first_visit_status(n.arrived_at, [(a.attempted_at, a.succeeded) for a in n.attempts.all()],
                                       now or timezone.now())


def record_tb_first_visit_attempt(actor, notification: Notification, *, attempted_at: dt.datetime | None = None,
                                  succeeded: bool, note: str = "") -> FirstVisitAttempt:
    """One attempt at the first home visit. Two failed attempts → report back to the notifying unit (a to-do
    for the managing institution's public-health staff)."""
    from yigongti.tasks.actions import create_task

    _check_acting(actor, notification.managing_institution)
    attempted_at = attempted_at or timezone.now()
    if attempted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"attempted_at": [_("入户时间不能晚于现在。")]})
    with transaction.atomic():
        a = FirstVisitAttempt.objects.create(notification=notification, attempted_at=attempted_at,
                                             succeeded=succeeded, note=note[:200],
                                             doctor=actor if getattr(actor, "is_authenticated", False) else None)
        record_change(actor, action="create", subject=a, before=None,
                      after={"notification": notification.external_id, "succeeded": succeeded},
                      institution_id=notification.managing_institution_id)
        if first_visit_status(notification) == tb_rules.REPORT_BACK:
            create_task(title=str(_("结核病患者%(id)s两次入户未见，请反馈报告单位") % {"id": notification.external_id}),
                        kind="chronic_tb_report_back", role="public_health",
                        institution=notification.managing_institution, source=notification)
    return a
