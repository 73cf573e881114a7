"""Enrolment of the population programmes (older people ≥65, children 0–6): everyone the programme is for, in
an institution's service area, is put on the same engine (one Enrolment each, the schedule from the rules), so
they appear in the same due lists as the chronic patients. Generic: it asks the registry (``eligible``,
``enrol_defaults``) and never branches on a programme code. Idempotent: residents already enrolled are skipped."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from yigongti.people.models import RecordStatus, Resident

from . import actions, programmes
from .models import Enrolment, EnrolmentStatus


def service_area_q(institution) -> Q:
    q = Q(pk__in=[])
    for area in institution.service_areas.all():
        q |= Q(area__path__startswith=area.path)
    return q


def eligible_not_enrolled(programme: str, institution, today: dt.date):
    prog = programmes.get(programme)
    if prog.eligible is None:
        return Resident.objects.none()
    residents = Resident.objects.filter(service_area_q(institution), status=RecordStatus.ACTIVE)
    enrolled = Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE).values("resident_id")
    return prog.eligible(residents, today).exclude(pk__in=enrolled)


def enrol_eligible(actor, *, programme: str, institution, managing_doctor=None, today: dt.date | None = None,
                   limit: int | None = None) -> list[Enrolment]:
    """Enrol every eligible resident of ``institution``'s service area not yet enrolled (each through
    ``actions.enrol``: the acting check, the audit entry, the one-active-enrolment constraint)."""
    today = today or timezone.localdate()
    prog = programmes.get(programme)
    out = []
    qs = eligible_not_enrolled(programme, institution, today).order_by("pk")
    for resident in (qs[:limit] if limit else qs):
        try:
            out.append(actions.enrol(actor, resident=resident, programme=programme, managing_institution=institution,
                                     managing_doctor=managing_doctor, enrolled_on=today,
                                     **prog.enrol_kwargs(resident, {}, today)))
        except ValidationError as exc:
            if "programme" not in getattr(exc, "message_dict", {}):   # enrolled meanwhile: skip
                raise
    return out
