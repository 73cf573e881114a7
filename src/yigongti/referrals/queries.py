"""Scoped reads of referrals (design: Access). Who sees a referral: the staff of the sending institution (all
its referrals, drafts too), of the receiving institution (once it was sent), those whose area holds the
resident (the family doctors of the closed loop), and the oversight roles; residents tagged sensitive need
the programme role, as in people.queries. A single referral's read is audited against its resident.

"Expired" is derived here at query time from ``valid_until`` (China date), never stored."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from yigongti.audit.log import record_read
from yigongti.org.access import OVERSIGHT_ROLES, can_act_for, has_role, roles_by_institution
from yigongti.org.models import Institution, ReservedBed
from yigongti.org.scoping import access_reason, area_scope, may_see_sensitive
from yigongti.people.models import Encounter, ResidentTag
from yigongti.rules import deductible as deductible_rules
from yigongti.rules import referral as rules

from . import conf
from .models import CatalogEntry, CatalogKind, DeductibleRate, OutsideFiling, Referral, Status

OPEN = [Status.PENDING_APPROVAL, Status.SUBMITTED, Status.ACCEPTED]


def china_today() -> dt.date:
    return timezone.localdate()


def member_institution_ids(user) -> list[int]:
    """Institutions where the user works in a role that is not only one of the three administrators."""
    return sorted(i for i in roles_by_institution(user) if can_act_for(user, i))


def is_oversight(user) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def _sensitive_filter(user, qs: QuerySet, field: str = "resident_id") -> QuerySet:
    for tag in sorted(ResidentTag.SENSITIVE):
        if not may_see_sensitive(user, tag):
            qs = qs.exclude(**{f"{field}__in": ResidentTag.objects.filter(tag=tag).values("resident_id")})
    return qs


def with_state(qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotate ``state``: the stored status, or "expired" for an open referral past its window."""
    today = today or china_today()
    return qs.annotate(state=Case(
        When(status__in=OPEN, valid_until__lt=today, then=Value(rules.EXPIRED)),
        default=Cast("status", CharField()), output_field=CharField()))


def expired_q(today: dt.date | None = None) -> Q:
    return Q(status__in=OPEN, valid_until__lt=today or china_today())


def visible_referrals(user) -> QuerySet[Referral]:
    if not getattr(user, "is_authenticated", False):
        return Referral.objects.none()
    if is_oversight(user):
        qs = Referral.objects.all()
    else:
        ids = member_institution_ids(user)
        cond = Q(from_institution_id__in=ids) | (Q(to_institution_id__in=ids) & Q(submitted_at__isnull=False))
        scope = area_scope(user)
        if scope.area_ids:
            cond |= Q(resident__area_id__in=sorted(scope.area_ids)) & Q(submitted_at__isnull=False)
        if not ids and not scope.area_ids:
            return Referral.objects.none()
        qs = Referral.objects.filter(cond)
    return _sensitive_filter(user, qs)


def search(user, *, q: str = "", box: str = "", state: str = "", direction: str = "") -> QuerySet[Referral]:
    """The list page and the API: ``box`` "in" (to my institutions) / "out" (from them); ``state`` a status or
    "expired"; ``q`` a referral number (or its tail) or the patient's name."""
    qs = with_state(visible_referrals(user))
    ids = member_institution_ids(user)
    if box == "in":
        qs = qs.filter(to_institution_id__in=ids)
    elif box == "out":
        qs = qs.filter(from_institution_id__in=ids)
    if state == rules.EXPIRED:
        qs = qs.filter(expired_q())
    elif state in Status.values:
        qs = qs.filter(status=state).exclude(expired_q())
    if direction in (rules.UP, rules.DOWN, rules.LATERAL):
        qs = qs.filter(direction=direction)
    q = (q or "").strip()
    if q:
        number = rules.clean_number(q)
        cond = Q(resident__name__icontains=q)
        if number.isalnum() and len(number) >= 4:
            cond |= Q(number__endswith=number) if len(number) < 9 else Q(number=number)
        qs = qs.filter(cond)
    return qs.select_related("resident", "from_institution", "to_institution").order_by("-pk")


def get_referral_for(user, pk, detail: str = "") -> Referral:
    """One referral if ``user`` may see it (404 otherwise); the read is audited against the resident."""
    try:
        r = (with_state(visible_referrals(user))
             .select_related("resident", "resident__area", "from_institution", "to_institution", "from_department",
                             "to_department", "referring_doctor", "to_doctor", "head", "bed")
             .get(pk=int(pk)))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _audit_read(user, r, detail)
    return r


def _audit_read(user, r: Referral, detail: str) -> None:
    ids = member_institution_ids(user)
    if r.from_institution_id in ids or r.to_institution_id in ids:
        why = "relationship:referral"
    else:
        why = access_reason(user, resident_id=r.resident_id, resident_area_id=r.resident.area_id) or "oversight"
    record_read(user, subject=r, institution_id=ids[0] if ids else None, reason=why, detail=detail or "referral")


def find_by_number(user, text: str) -> Referral | None:
    """The receiving desk types or scans the number printed (and QR-coded) on the form."""
    number = rules.clean_number(text)
    if not number:
        return None
    return visible_referrals(user).filter(number=number).first()


def referral_relationship(user) -> QuerySet:
    """Care relationship (design: Access): the sending institution sees the residents it refers, the receiving
    one those referred to it once the form was sent. Registered in ReferralsConfig.ready()."""
    ids = member_institution_ids(user)
    return Referral.objects.filter(Q(from_institution_id__in=ids)
                                   | (Q(to_institution_id__in=ids) & Q(submitted_at__isnull=False))
                                   ).values("resident_id")


# --- beds -------------------------------------------------------------------------------------------------


def free_beds(institution_id: int, now: dt.datetime | None = None) -> QuerySet[ReservedBed]:
    """Reserved beds with no holder or whose hold has passed: the live free count (design: "Reserved beds")."""
    now = now or timezone.now()
    return (ReservedBed.objects.filter(institution_id=institution_id, active=True)
            .filter(Q(hold_until__isnull=True) | Q(hold_until__lte=now)).order_by("pk"))


def bed_board(institution_ids: list[int], now: dt.datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    out = []
    for inst in Institution.objects.filter(pk__in=institution_ids, reserved_beds__active=True).distinct():
        beds = list(ReservedBed.objects.filter(institution=inst, active=True).select_related("department")
                    .order_by("label"))
        for b in beds:
            b.is_free = b.hold_until is None or b.hold_until <= now
        out.append({"institution": inst, "beds": beds, "free": sum(1 for b in beds if b.is_free)})
    return out


# --- deductible ------------------------------------------------------------------------------------------


def rates() -> dict[tuple[str, str], int]:
    from yigongti.rules.indicators import to_fen

    return {(r.scheme, r.grade_level): to_fen(r.amount) for r in DeductibleRate.objects.all()}


def deductible_for(r: Referral) -> deductible_rules.Deductible:
    """The patient's expected inpatient deductible on this referral (上转补差 / 下转免起付线)."""
    return deductible_rules.expected_deductible(
        scheme=r.insurance_scheme, direction=r.direction, referral_type=r.referral_type,
        from_level=rules.grade_level(r.from_institution.grade, r.from_institution.tier),
        to_level=rules.grade_level(r.to_institution.grade, r.to_institution.tier),
        rates=rates(), down_bonus_points=conf.get("DOWN_BONUS_POINTS"))


# --- catalogs --------------------------------------------------------------------------------------------


def catalog_q(kind: str, grade_level: str = "", field: str = "primary_diagnosis") -> Q | None:
    codes = list(CatalogEntry.objects.filter(kind=kind, grade_level=grade_level, active=True)
                 .values_list("code", flat=True))
    if not codes:
        return None
    cond = Q()
    for code in codes:
        cond |= Q(**{f"{field}__istartswith": code})
    return cond


def down_referral_suggestions(user, days: int = 7) -> QuerySet[Encounter]:
    """County inpatients at the user's institutions (in hospital, or discharged within ``days``) whose main
    diagnosis is on the down-referral catalog and who have no down-referral written since admission."""
    ids = [i for i in member_institution_ids(user)
           if Institution.objects.filter(pk=i, tier="county").exists()]
    cond = catalog_q(CatalogKind.DOWN_REFERRAL)
    if not ids or cond is None:
        return Encounter.objects.none()
    since = china_today() - dt.timedelta(days=days)
    written = Referral.objects.filter(resident_id=OuterRef("resident_id"), direction=rules.DOWN,
                                      created_at__date__gte=OuterRef("visit_date")).exclude(status=Status.CANCELLED)
    qs = (Encounter.objects.filter(institution_id__in=ids, kind="inpatient")
          .filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=since)).filter(cond)
          .filter(~Exists(written)).select_related("resident", "institution", "department")
          .order_by("-visit_date", "-pk"))
    return _sensitive_filter(user, qs)


# --- filings ---------------------------------------------------------------------------------------------


def visible_filings(user) -> QuerySet[OutsideFiling]:
    if not getattr(user, "is_authenticated", False):
        return OutsideFiling.objects.none()
    if is_oversight(user):
        qs = OutsideFiling.objects.all()
    else:
        qs = OutsideFiling.objects.filter(institution_id__in=member_institution_ids(user))
    return _sensitive_filter(user, qs).select_related("resident", "institution").order_by("-filed_on", "-pk")
