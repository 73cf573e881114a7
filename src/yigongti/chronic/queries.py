"""Scoped reads of the programme engine. One due-list query over Enrolment serves every programme (no
programme-specific branch): due this week, overdue, not seen for 3+ months, lost (12 months), for a village
doctor (their managed patients), a family-doctor team, a township or the county. Due and overdue are computed
here from ``next_due`` and today, never stored. Sensitive programmes only for holders of the programme role."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yigongti.audit.log import record_read
from yigongti.org.access import institution_ids
from yigongti.org.models import Area
from yigongti.org.scoping import access_reason, may_see_sensitive
from yigongti.people import crypto
from yigongti.people.queries import visible_residents
from yigongti.rules import chronic_rates
from yigongti.rules.masking import mask_phone

from . import conf, programmes
from .models import CallOutcome, Enrolment, EnrolmentStatus, Mode, Notification, ScreeningFlag, Visit

BUCKETS = ("todo", "due_week", "overdue", "not_seen", "lost", "all")
SCOPES = ("mine", "team", "township", "county")
SORTS = ("risk", "overdue")


def hidden_programmes(user) -> list[str]:
    return [p.code for p in programmes.all_programmes() if p.sensitive and not may_see_sensitive(user, p.sensitive)]


def visible_enrolments(user) -> QuerySet[Enrolment]:
    """Enrolments of residents the user may see (area ∪ care relationships ∪ break-glass), without the
    sensitive programmes the user holds no role for."""
    if not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none()
    qs = Enrolment.objects.filter(resident__in=visible_residents(user).values("pk"))
    hidden = hidden_programmes(user)
    if hidden:
        qs = qs.exclude(programme__in=hidden)
    return qs


def visible_visits(user) -> QuerySet[Visit]:
    return Visit.objects.filter(enrolment__in=visible_enrolments(user).values("pk"))


def visible_flags(user) -> QuerySet[ScreeningFlag]:
    if not getattr(user, "is_authenticated", False):
        return ScreeningFlag.objects.none()
    return ScreeningFlag.objects.filter(resident__in=visible_residents(user).values("pk"))


def visible_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(enrolment__in=visible_enrolments(user).values("pk"))


def get_enrolment_for(user, pk) -> Enrolment:
    """One enrolment (404 if not visible); the read of the resident's programme record is audited."""
    try:
        e = visible_enrolments(user).select_related("resident", "resident__area", "managing_institution",
                                                    "managing_doctor", "icd10").get(pk=int(pk))
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _audit_read(user, e.resident, f"chronic:{e.programme}")
    return e


def get_visit_for(user, pk) -> Visit:
    try:
        v = visible_visits(user).select_related("enrolment", "resident", "doctor", "institution").get(pk=int(pk))
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _audit_read(user, v.resident, f"chronic_visit:{v.pk}")
    return v


def get_flag_for(user, pk) -> ScreeningFlag:
    try:
        return visible_flags(user).select_related("resident").get(pk=int(pk))
    except (ScreeningFlag.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_notification_for(user, pk) -> Notification:
    try:
        return visible_notifications(user).select_related("resident", "enrolment").get(pk=int(pk))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _audit_read(user, resident, detail: str) -> None:
    why = access_reason(user, resident_id=resident.pk, resident_area_id=resident.area_id) or "oversight"
    ids = institution_ids(user)
    record_read(user, subject=resident, institution_id=ids[0] if ids else None, reason=why, detail=detail)


def team_resident_ids(team_id: int):
    """The residents of a family-doctor team, from familydoctor.queries once that app provides it; None
    while it does not (the team scope then shows nothing)."""
    try:
        from yigongti.familydoctor.queries import team_resident_ids as provider
    except ImportError:
        return None
    return provider(team_id)


def teams_of(user) -> list:
    """The family-doctor teams the user belongs to (for the due list's team tab); [] without familydoctor."""
    try:
        from yigongti.familydoctor.queries import teams_of_user
    except ImportError:
        return []
    return list(teams_of_user(user).order_by("pk"))


def teams_of_residents(resident_ids) -> dict[int, dict]:
    """{resident id: {"team_id", "team_name", "doctor_id"}} of their contract in force: the enrolment's
    family-doctor team is the contract's (familydoctor owns teams; nothing copied here); {} without the app."""
    try:
        from yigongti.familydoctor.queries import team_for_residents
    except ImportError:
        return {}
    return team_for_residents(resident_ids)


def area_subtree_ids(area_id: int) -> list[int]:
    area = Area.objects.filter(pk=area_id).values("path").first()
    if area is None:
        return []
    return list(Area.objects.filter(path__startswith=area["path"]).values_list("pk", flat=True))


def due_list(user, *, scope: str = "mine", bucket: str = "todo", programme: str = "", team_id: int | None = None,
             area_id: int | None = None, sort: str = "risk", today: dt.date | None = None) -> QuerySet[Enrolment]:
    """The one due-list query for every programme. ``bucket``: todo (overdue or due in the window), due_week,
    overdue, not_seen (3+ months), lost (12 months), all active."""
    today = today or timezone.localdate()
    qs = visible_enrolments(user).filter(status=EnrolmentStatus.ACTIVE)
    if scope == "mine":
        qs = qs.filter(managing_doctor=user)
    elif scope == "team":
        ids = team_resident_ids(team_id) if team_id else None
        qs = qs.filter(resident_id__in=ids) if ids is not None else qs.none()
    elif scope == "township":
        qs = qs.filter(resident__area_id__in=area_subtree_ids(area_id)) if area_id else qs.none()
    if programme:
        qs = qs.filter(programme=programme)
    window = today + dt.timedelta(days=conf.get("DUE_WINDOW_DAYS"))
    if bucket == "todo":
        qs = qs.filter(next_due__lt=window)
    elif bucket == "due_week":
        qs = qs.filter(next_due__gte=today, next_due__lt=window)
    elif bucket == "overdue":
        qs = qs.filter(next_due__lt=today)
    elif bucket in ("not_seen", "lost"):
        months = conf.get("NOT_SEEN_MONTHS") if bucket == "not_seen" else conf.get("LOST_MONTHS")
        cutoff = chronic_rates.seen_cutoff(today, months)
        qs = qs.filter(Q(last_visit_on__lte=cutoff) | Q(last_visit_on__isnull=True, enrolled_on__lte=cutoff))
    qs = qs.select_related("resident", "resident__area", "managing_doctor", "managing_institution", "icd10")
    if sort == "overdue":
        return qs.order_by(F("next_due").asc(nulls_last=True), "-risk", "pk")
    return qs.order_by("-risk", F("next_due").asc(nulls_last=True), "pk")


@dataclass
class DueRow:
    enrolment: Enrolment
    days_overdue: int
    state: str        # overdue | due | later
    phone: str
    not_seen: bool
    lost: bool
    team: str = ""  # the resident's family-doctor team (from the contract in force)


def due_rows(user, enrolments, *, today: dt.date | None = None, full_phone: bool = False) -> list[DueRow]:
    """Rows for a page or the API: days overdue computed now; phone masked unless ``full_phone`` (the
    responsible doctor's own call list, whose view is audited per resident by ``audit_call_list``)."""
    today = today or timezone.localdate()
    enrolments = list(enrolments)
    teams = teams_of_residents([e.resident_id for e in enrolments])  # one query for the page
    rows = []
    for e in enrolments:
        phone = crypto.decrypt(e.resident.phone_enc)
        own = full_phone and e.managing_doctor_id == user.pk
        last = e.last_visit_on
        rows.append(DueRow(
            enrolment=e,
            days_overdue=chronic_rates.overdue_days(e.next_due, today) if e.next_due else 0,
            state=("overdue" if e.next_due and chronic_rates.is_overdue(e.next_due, today) else
                   "due" if e.next_due and e.next_due < today + dt.timedelta(days=conf.get("DUE_WINDOW_DAYS")) else "later"),
            phone=phone if own else mask_phone(phone),
            not_seen=chronic_rates.not_seen_for(last, today, conf.get("NOT_SEEN_MONTHS"), enrolled_on=e.enrolled_on),
            lost=chronic_rates.is_lost_to_follow_up(last, today, conf.get("LOST_MONTHS"), enrolled_on=e.enrolled_on),
            team=teams.get(e.resident_id, {}).get("team_name", ""),
        ))
    return rows


def audit_call_list(user, rows: list[DueRow]) -> None:
    """The call list showed full phone numbers: one read entry per resident (batched into one INSERT by the
    audit middleware within a request)."""
    ids = institution_ids(user)
    for row in rows:
        if not row.phone or "*" in row.phone:
            continue
        record_read(user, subject=row.enrolment.resident, institution_id=ids[0] if ids else None,
                    reason="relationship:chronic", detail="call_list")


def previous_visit(enrolment: Enrolment) -> Visit | None:
    return enrolment.visits.order_by("-visit_date", "-pk").first()


def calls_of(enrolment: Enrolment):
    return CallOutcome.objects.filter(enrolment=enrolment).order_by("-called_at")


# --- hooks for other apps -------------------------------------------------------------------------------

def chronic_relationship(user) -> QuerySet:
    """Care relationship (design: Access): residents enrolled and managed at one of the user's institutions."""
    return Enrolment.objects.filter(managing_institution_id__in=institution_ids(user),
                                    status=EnrolmentStatus.ACTIVE).values("resident_id")


def members_of(code: str):
    return lambda: Enrolment.objects.filter(programme=code, status=EnrolmentStatus.ACTIVE).values("resident_id")


FOLLOWUP_PHONE = "followup_phone"
HOME_VISIT = "home_visit"
FASTING_GLUCOSE_TEST = "fasting_glucose_test"


def services_source(resident_ids, start: dt.date, end: dt.date):
    """people.services source: face-to-face follow-ups under followup_<programme>, phone ones under
    followup_phone, home visits also as home_visit, a visit with a fasting glucose of a programme that counts
    it (diabetes) also as fasting_glucose_test. One grouped query."""
    from django.db.models import BooleanField, Count, ExpressionWrapper

    glucose_programmes = {p.code for p in programmes.all_programmes() if p.counts_glucose_test}
    rows = (Visit.objects.filter(resident_id__in=resident_ids, visit_date__range=(start, end))
            .values("resident_id", "visit_date", "programme", "mode",
                    has_glucose=ExpressionWrapper(Q(fasting_glucose__isnull=False), output_field=BooleanField()))
            .annotate(n=Count("id")).order_by())
    for row in rows:
        rid, day, n = row["resident_id"], row["visit_date"], row["n"]
        if row["mode"] == Mode.PHONE:
            yield rid, FOLLOWUP_PHONE, day, n
        else:
            yield rid, programmes.get(row["programme"]).service_code, day, n
        if row["mode"] == Mode.HOME:
            yield rid, HOME_VISIT, day, n
        if row["has_glucose"] and row["programme"] in glucose_programmes:
            yield rid, FASTING_GLUCOSE_TEST, day, n
