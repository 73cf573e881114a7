"""Scoped reads of the resident record (design: Access). Lists, searches, exports and the API all go through
``visible_residents``; a single record through ``get_resident_for``, which audits the read."""
from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404

from yigongti.audit.log import record_read
from yigongti.org.access import institution_ids, roles_by_institution
from yigongti.org.scoping import (
    AREA_ROLES,
    access_reason,
    area_scope,
    may_see_sensitive,
    related_resident_querysets,
)
from yigongti.rules import idcard

from . import crypto
from .models import Encounter, HealthExam, RecordStatus, Resident, ResidentTag

_DOCUMENT_RE = re.compile(r"^[0-9A-Z]{5,20}$")
_INITIALS_RE = re.compile(r"^[a-z]{1,40}$")


def visible_residents(user) -> QuerySet[Resident]:
    """Residents ``user`` may see: the area subtree of their institutions (or everything for oversight
    roles) ∪ their care relationships and break-glass grants; sensitive-tagged residents only with the
    programme role."""
    if not getattr(user, "is_authenticated", False):
        return Resident.objects.none()
    scope = area_scope(user)
    if scope.all:
        qs = Resident.objects.all()
    else:
        cond = Q(area_id__in=sorted(scope.area_ids)) if scope.area_ids else Q(pk__in=[])
        for related in related_resident_querysets(user):
            cond |= Q(pk__in=related)
        qs = Resident.objects.filter(cond)
    for tag in sorted(ResidentTag.SENSITIVE):
        if not may_see_sensitive(user, tag):
            qs = qs.exclude(pk__in=ResidentTag.objects.filter(tag=tag).values("resident_id"))
    return qs


def _prefix(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix`` as a range (``>= "abc" AND < "abd"``) that a plain B-tree index serves on
    SQLite and PostgreSQL alike — LIKE 'abc%' does not (SQLite's LIKE is case-insensitive, PostgreSQL needs
    pattern_ops). Only for ASCII letters and digits, whose order every collation agrees on (bench.resident_search)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})


def search_condition(q: str) -> Q | None:
    """What a search box text means (README "Finding a resident"): 17 digits a record number; 18/15
    characters a citizen ID; 11 digits a phone; 4 digits the phone's last four; lower-case letters pinyin
    initials (or the start of the full pinyin); anything else a part of the name."""
    q = (q or "").strip().replace(" ", "")
    if not q:
        return None
    if q.isdigit() and len(q) == 4:
        return Q(phone_last4_index=crypto.blind_index("phone4", q))
    if q.isdigit() and len(q) == 11:
        return Q(phone_index=crypto.blind_index("phone", q))
    if q.isdigit() and len(q) == 17:
        return Q(record_number=q)
    upper = q.upper()
    if len(upper) == 15 and upper.isdigit():
        try:
            upper = idcard.convert_15_to_18(upper)
        except idcard.IdCardError:
            pass
    if q.isascii() and q.isalpha():
        lower = q.lower()
        cond = _prefix("name_initials", lower) | _prefix("name_pinyin", lower)
        if _DOCUMENT_RE.match(upper):
            cond |= Q(document_index=crypto.blind_index("document", upper))
        return cond
    if _DOCUMENT_RE.match(upper):
        cond = Q(document_index=crypto.blind_index("document", upper))
        if upper.isdigit() and 12 <= len(upper) <= 17:  # the start of a 17-digit record number
            cond |= _prefix("record_number", upper)
        return cond
    return Q(name__icontains=q)


def search(user, q: str = "", *, status: str | None = "current", area_id: int | None = None) -> QuerySet[Resident]:
    """The scoped search behind the list page, the export and the API. ``status``: "current" (every status
    but merged), "all", or one RecordStatus value."""
    qs = visible_residents(user)
    cond = search_condition(q)
    if cond is not None:
        qs = qs.filter(cond)
    if status == "current" or not status:
        qs = qs.exclude(status=RecordStatus.MERGED)
    elif status != "all":
        qs = qs.filter(status=status)
    if area_id:
        qs = qs.filter(area_id=area_id)
    return qs.select_related("area").order_by("name", "pk")


def get_resident_for(user, pk, reason: str | None = None, detail: str = "") -> Resident:
    """One resident if ``user`` may see it (404 otherwise, so existence does not leak); the read is audited
    with why the user may see it (area, relationship, break-glass)."""
    try:
        resident = (visible_residents(user).select_related("area", "household", "managing_institution",
                                                           "merged_into").get(pk=int(pk)))
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    why = reason or access_reason(user, resident_id=resident.pk, resident_area_id=resident.area_id) or "oversight"
    ids = institution_ids(user)
    record_read(user, subject=resident, institution_id=ids[0] if ids else None, reason=why, detail=detail)
    return resident


def visible_encounters(user) -> QuerySet[Encounter]:
    """Encounters of visible residents, plus every encounter at the user's own institutions."""
    if not getattr(user, "is_authenticated", False):
        return Encounter.objects.none()
    return Encounter.objects.filter(Q(resident__in=visible_residents(user).values("pk"))
                                    | Q(institution_id__in=institution_ids(user)))


def visible_exams(user) -> QuerySet[HealthExam]:
    if not getattr(user, "is_authenticated", False):
        return HealthExam.objects.none()
    return HealthExam.objects.filter(Q(resident__in=visible_residents(user).values("pk"))
                                     | Q(institution_id__in=institution_ids(user)))


def encounter_relationship(user) -> QuerySet:
    """Care relationship (design: Access): residents with an encounter at one of the user's institutions.
    Registered with org.scoping in PeopleConfig.ready()."""
    # Only where the user holds a clinical role: the three separated administrators see no resident, even
    # at an institution where residents have encounters (design "Access").
    clinical = [i for i, roles in roles_by_institution(user).items() if roles & AREA_ROLES]
    return Encounter.objects.filter(institution_id__in=clinical).values("resident_id")
