"""Scoped reads of the experts app (design: Access), and the care-relationship providers it registers.

Who sees what:
- timetables and sessions (no personal data): every signed-in staff member;
- a session's bookings: staff of the session's institution, its specialist, the booking's institution,
  the oversight roles — and only bookings of residents the user may see (people.queries.visible_residents);
- consultations: the requesting institution, the invited specialist, oversight;
- outreach activities: aggregates, every signed-in staff member.
Care relationships (the specialist then sees the resident's record): a live booking in a session the user
holds or at the user's institution; a consultation the user was asked for or that their institution asked.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from yigongti.audit.log import record_read
from yigongti.org.access import OVERSIGHT_ROLES, has_role, institution_ids
from yigongti.org.scoping import access_reason

from .models import (
    LIVE_BOOKING,
    Booking,
    Consultation,
    OutreachActivity,
    Secondment,
    Session,
    SessionStatus,
    TimetableEntry,
)


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False)


def is_oversight(user) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


# --- care relationships ------------------------------------------------------------------------------


def booking_relationship(user) -> QuerySet:
    """A live booking with me (my session) or at my institution: one column, resident_id."""
    ids = institution_ids(user)
    return (Booking.objects.filter(LIVE_BOOKING).filter(Q(session__specialist=user) | Q(session__institution_id__in=ids))
            .values("resident_id"))


def consultation_relationship(user) -> QuerySet:
    ids = institution_ids(user)
    return Consultation.objects.filter(Q(specialist=user) | Q(institution_id__in=ids)).values("resident_id")


# --- timetables and sessions ---------------------------------------------------------------------------


def timetable(institution_id: int, on: dt.date | None = None) -> QuerySet[TimetableEntry]:
    qs = TimetableEntry.objects.filter(institution_id=institution_id, active=True).select_related(
        "specialist", "home_institution")
    if on is not None:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    return qs.order_by("clinic", "weekday", "half_day")


def timetable_grid(entries) -> tuple[list[dict], list[int]]:
    """Rows by clinic, cells by weekday (Mon–Fri, then Sat/Sun if used), like seed 000's printed table."""
    rows: dict[str, dict] = {}
    used_days = {e.weekday for e in entries}
    days = [d for d in range(7) if d < 5 or d in used_days]
    for e in entries:
        row = rows.setdefault(e.clinic, {"clinic": e.clinic, "cells": {d: [] for d in days}})
        row["cells"][e.weekday].append(e)
    return [{"clinic": r["clinic"], "cells": [r["cells"][d] for d in days]} for r in rows.values()], days


def sessions(*, institution_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
             specialist=None) -> QuerySet[Session]:
    qs = Session.objects.select_related("institution", "specialist", "home_institution").annotate(
        booked=Count("bookings", filter=Q(bookings__status__in=["booked", "attended", "no_show"])))
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if specialist is not None:
        qs = qs.filter(specialist=specialist)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.order_by("starts_at", "clinic", "pk")


def get_session(user, pk) -> Session:
    if not _signed_in(user):
        raise Http404
    try:
        return Session.objects.select_related("institution", "specialist", "home_institution").get(pk=int(pk))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_bookings(user, s: Session) -> bool:
    return (is_oversight(user) or s.specialist_id == user.pk or s.institution_id in institution_ids(user))


def visible_bookings(user) -> QuerySet[Booking]:
    """Bookings the user may list: in sessions they hold or at their institutions, or made by their
    institutions; only for residents they may see."""
    if not _signed_in(user):
        return Booking.objects.none()
    from yigongti.people.queries import visible_residents

    qs = Booking.objects.all()
    if not is_oversight(user):
        ids = institution_ids(user)
        qs = qs.filter(Q(session__specialist=user) | Q(session__institution_id__in=ids) | Q(booked_for_id__in=ids))
    return qs.filter(resident__in=visible_residents(user).values("pk"))


def bookings_of_session(user, s: Session) -> QuerySet[Booking]:
    if not may_see_bookings(user, s):
        qs = visible_bookings(user).filter(session=s)
    else:
        qs = Booking.objects.filter(session=s)
    return qs.select_related("slot", "resident", "resident__area", "booked_by", "booked_for").order_by("slot__number")


def get_booking_for(user, pk) -> Booking:
    try:
        return visible_bookings(user).select_related("session", "slot", "resident").get(pk=int(pk))
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_sessions(*, institution_id: int | None = None, today: dt.date | None = None) -> QuerySet[Session]:
    from django.utils import timezone

    today = today or timezone.localdate()
    return sessions(institution_id=institution_id, start=today).filter(status=SessionStatus.OPEN)


# --- consultations --------------------------------------------------------------------------------------


def visible_consultations(user) -> QuerySet[Consultation]:
    if not _signed_in(user):
        return Consultation.objects.none()
    if is_oversight(user):
        return Consultation.objects.all()
    ids = institution_ids(user)
    return Consultation.objects.filter(Q(specialist=user) | Q(institution_id__in=ids) | Q(requested_by=user))


def get_consultation_for(user, pk, detail: str = "") -> Consultation:
    try:
        c = visible_consultations(user).select_related("resident", "institution", "specialist",
                                                       "specialist_institution", "requested_by").get(pk=int(pk))
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    why = access_reason(user, resident_id=c.resident_id, resident_area_id=c.resident.area_id) or "oversight"
    ids = institution_ids(user)
    record_read(user, subject=c, institution_id=ids[0] if ids else None, reason=why, detail=detail)
    return c


# --- secondments and outreach ----------------------------------------------------------------------------


def secondments(*, institution_id: int | None = None, on: dt.date | None = None) -> QuerySet[Secondment]:
    qs = Secondment.objects.select_related("staff", "home_institution", "institution")
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if on is not None:
        qs = qs.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    return qs.order_by("institution_id", "-start_date", "pk")


def outreach(*, institution_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
             kind: str = "") -> QuerySet[OutreachActivity]:
    qs = OutreachActivity.objects.select_related("institution").prefetch_related("experts")
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-date", "-pk")


def outreach_figures(*, institution_id: int | None = None, start: dt.date, end: dt.date) -> dict:
    """{kind: {"activities": n, "count": Σcount, "participants": Σparticipants}} for the period."""
    from django.db.models import Sum

    rows = (OutreachActivity.objects.filter(date__range=(start, end))
            .filter(**({"institution_id": institution_id} if institution_id else {}))
            .values("kind").annotate(activities=Count("pk"), count=Sum("count"), participants=Sum("participants")))
    return {r["kind"]: {"activities": r["activities"], "count": r["count"] or 0,
                        "participants": r["participants"] or 0} for r in rows}
