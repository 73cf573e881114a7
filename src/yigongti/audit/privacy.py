"""Personal-information rights requests (个人信息保护法 arts. 44–47, issue 16): a resident asks to see, copy,
correct, restrict or delete their record; the request is tracked with a deadline and what was disclosed is
recorded with the answer. One function per state change, audited."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.org.access import can_act_for

from .log import record_change
from .models import PrivacyRequest


def answer_days() -> int:
    """Days to answer (GB/T 35273-2020 8.7: within 30 days; a setting, default 15)."""
    return int(getattr(settings, "YIGONGTI_PRIVACY_ANSWER_DAYS", 15))


@transaction.atomic
def open_request(actor, *, resident_id: int, institution, kind: str, details: str = "") -> PrivacyRequest:
    if not can_act_for(actor, institution.pk):
        raise PermissionDenied
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError({"kind": _("请求类型无效")})
    received = timezone.now()
    request = PrivacyRequest.objects.create(
        resident_id=resident_id, institution=institution, kind=kind, details=details[:500], received_by=actor,
        received_at=received, due_date=timezone.localdate(received) + dt.timedelta(days=answer_days()))
    record_change(actor, action="create", subject=request, before=None,
                  after={"kind": kind, "due_date": request.due_date.isoformat()}, institution_id=institution.pk)
    return request


@transaction.atomic
def close_request(actor, request: PrivacyRequest, *, answer: str, disclosed: list[str], refused: bool = False):
    """Answer a request; ``disclosed`` names what was given to the resident (e.g. ["基本信息", "随访记录"])."""
    if not can_act_for(actor, request.institution_id):
        raise PermissionDenied
    if request.status != PrivacyRequest.Status.OPEN:
        raise ValidationError({"status": _("该请求已答复")})
    if not answer.strip():
        raise ValidationError({"answer": _("请填写答复")})
    request.status = PrivacyRequest.Status.REFUSED if refused else PrivacyRequest.Status.DONE
    request.answer, request.disclosed = answer, list(disclosed)
    request.closed_by, request.closed_at = actor, timezone.now()
    request.save(update_fields=["status", "answer", "disclosed", "closed_by", "closed_at"])
    record_change(actor, action="update", subject=request, before={"status": "open"},
                  after={"status": request.status, "disclosed": request.disclosed},
                  institution_id=request.institution_id)
    return request


def overdue(on: dt.date | None = None):
    """Open requests past their deadline (computed at query time)."""
    return PrivacyRequest.objects.filter(status=PrivacyRequest.Status.OPEN, due_date__lt=on or timezone.localdate())
