"""Scoped reads of diagnostic requests (design: Access). Who sees a request: the staff of the requesting
institution and of the reading centre, those whose area holds the resident (the family doctors), and the
oversight roles; residents tagged sensitive need the programme role. A single request's read is audited
against its resident. Worklists are per centre and modality, urgent first then oldest first."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from yigongti.audit.log import record_read
from yigongti.org.access import OVERSIGHT_ROLES, can_act_for, has_role, roles_by_institution
from yigongti.org.scoping import AREA_ROLES, access_reason, area_scope, may_see_sensitive
from yigongti.people.models import ResidentTag
from yigongti.rules import diagnostics as rules

from . import conf
from .actions import READER_ROLES
from .models import Centre, CriticalValue, Request, Status

OPEN = [Status.REQUESTED, Status.CLAIMED, Status.REPORTED]


def member_institution_ids(user) -> list[int]:
    return sorted(i for i in roles_by_institution(user) if can_act_for(user, i))


def is_oversight(user) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def _sensitive_filter(user, qs: QuerySet, field: str = "resident_id") -> QuerySet:
    for tag in sorted(ResidentTag.SENSITIVE):
        if not may_see_sensitive(user, tag):
            qs = qs.exclude(**{f"{field}__in": ResidentTag.objects.filter(tag=tag).values("resident_id")})
    return qs


def visible_requests(user) -> QuerySet[Request]:
    if not getattr(user, "is_authenticated", False):
        return Request.objects.none()
    if is_oversight(user):
        qs = Request.objects.all()
    else:
        ids = member_institution_ids(user)
        scope = area_scope(user)
        if not ids and not scope.area_ids:
            return Request.objects.none()
        cond = Q(requesting_institution_id__in=ids) | Q(centre__institution_id__in=ids)
        if scope.area_ids:
            cond |= Q(resident__area_id__in=sorted(scope.area_ids))
        qs = Request.objects.filter(cond)
    return _sensitive_filter(user, qs)


def with_rank(qs: QuerySet) -> QuerySet:
    return qs.annotate(priority_rank=Case(*[When(priority=p, then=Value(rank))
                                            for p, rank in rules.PRIORITY_RANK.items()],
                                          default=Value(len(rules.PRIORITY_RANK)), output_field=IntegerField()))


def reader_centres(user) -> QuerySet[Centre]:
    ids = [i for i, roles in roles_by_institution(user).items() if roles & READER_ROLES]
    return Centre.objects.filter(institution_id__in=ids, active=True).order_by("pk")


def worklist(user, *, modality: str = "", mine: bool = False) -> QuerySet[Request]:
    """Open requests at the user's centres (as a reader), urgent first then oldest first."""
    qs = Request.objects.filter(centre__in=reader_centres(user), status__in=[Status.REQUESTED, Status.CLAIMED,
                                                                             Status.REPORTED])
    if modality:
        qs = qs.filter(modality=modality)
    if mine:
        qs = qs.filter(reader=user)
    return (with_rank(_sensitive_filter(user, qs))
            .select_related("resident", "test", "requesting_institution", "reader", "centre")
            .order_by("priority_rank", "requested_at", "pk"))


def search(user, *, q: str = "", status: str = "", modality: str = "", box: str = "") -> QuerySet[Request]:
    qs = visible_requests(user)
    ids = member_institution_ids(user)
    if box == "sent":
        qs = qs.filter(requesting_institution_id__in=ids)
    elif box == "centre":
        qs = qs.filter(centre__institution_id__in=ids)
    if status in Status.values:
        qs = qs.filter(status=status)
    if modality:
        qs = qs.filter(modality=modality)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(resident__name__startswith=q) | Q(test__name__icontains=q))
    return qs.select_related("resident", "test", "requesting_institution", "centre", "reader").order_by("-pk")


def get_request_for(user, pk, detail: str = "") -> Request:
    try:
        r = (visible_requests(user).select_related("resident", "resident__area", "test", "requesting_institution",
                                                   "requesting_doctor", "centre", "centre__institution", "reader",
                                                   "earlier_result")
             .get(pk=int(pk)))
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    ids = member_institution_ids(user)
    if r.requesting_institution_id in ids or r.centre.institution_id in ids:
        why = "relationship:reading"
    else:
        why = access_reason(user, resident_id=r.resident_id, resident_area_id=r.resident.area_id) or "oversight"
    record_read(user, subject=r, institution_id=ids[0] if ids else None, reason=why, detail=detail or "diagnostics")
    return r


def reading_relationship(user) -> QuerySet:
    """Care relationship (design: Access): the centre sees the residents it reads for, the requesting clinic
    those it requested for. Registered in DiagnosticsConfig.ready()."""
    clinical = [i for i, roles in roles_by_institution(user).items() if roles & AREA_ROLES]
    return Request.objects.filter(Q(centre__institution_id__in=clinical)
                                  | Q(requesting_institution_id__in=clinical)).values("resident_id")


def visible_criticals(user) -> QuerySet[CriticalValue]:
    return CriticalValue.objects.filter(request__in=visible_requests(user).values("pk"))


def get_critical_for(user, pk) -> CriticalValue:
    try:
        cv = visible_criticals(user).select_related("request", "request__resident", "request__test",
                                                    "request__centre", "marked_by", "acknowledged_by",
                                                    "escalated_to", "phoned_by").get(pk=int(pk))
    except (CriticalValue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    get_request_for(user, cv.request_id, detail="critical value")
    return cv


def open_criticals_for(user) -> QuerySet[CriticalValue]:
    """Unacknowledged critical values the user may acknowledge (their institution requested, or escalated to them)."""
    ids = member_institution_ids(user)
    return (CriticalValue.objects.filter(acknowledged_at__isnull=True)
            .filter(Q(request__requesting_institution_id__in=ids) | Q(escalated_to=user))
            .select_related("request", "request__test", "request__resident").order_by("marked_at"))


def published_for_resident(user, resident_id: int) -> QuerySet[Request]:
    return (visible_requests(user).filter(resident_id=resident_id, status=Status.PUBLISHED)
            .select_related("test", "centre").order_by("-published_at", "-pk"))


def elapsed_minutes(r: Request, now: dt.datetime | None = None) -> int:
    end = r.published_at or now or timezone.now()
    return rules.minutes_between(r.requested_at, end) or 0


def timer(r: Request, now: dt.datetime | None = None) -> str:
    return rules.timer_state(r.priority, elapsed_minutes(r, now), conf.get("TURNAROUND_TARGET_MINUTES"))
