"""Helpers the kinds share: paging a queryset, auditing a read, resolving the acting institution and the
referenced patient for a write."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yigongti.audit.log import record_read
from yigongti.org.access import can_act_for, institution_ids, roles_by_institution
from yigongti.org.models import Institution
from yigongti.org.scoping import access_reason
from yigongti.people.models import RecordStatus, Resident
from yigongti.people.queries import visible_residents

from ..errors import FhirError, invalid, not_found
from ..registry import Page
from ..search import Params, int_id, reference_id


def page_of(qs: QuerySet, params: Params, to_fhir) -> Page:
    total = qs.count()
    rows = list(qs[params.offset:params.offset + params.count]) if params.count else []
    return Page(total, [to_fhir(row) for row in rows])


def ids_q(params: Params, field: str = "pk"):
    """``_id`` (and comma lists of it) as a filter on integer ids; unknown forms match nothing."""
    from django.db.models import Q

    q = Q()
    for raw in params.get("_id"):
        ids = [i for i in (int_id(v) for v in raw.split(",")) if i is not None]
        q &= Q(**{f"{field}__in": ids})
    return q


def patient_ids(params: Params) -> list[list[int]]:
    """The values of ``patient`` / ``subject`` (each a comma list): [[ids…], …]."""
    found = []
    for name in ("patient", "subject"):
        for raw in params.get(name):
            ids = [int_id(reference_id(v, "Patient")) for v in raw.split(",")]
            found.append([i for i in ids if i is not None])
    return found


def audit_read(user, resident_id: int, detail: str) -> None:
    """A clinical record of one resident was read over FHIR: audited against the resident, with why the
    user may see them (like the API's reads)."""
    resident = Resident.objects.only("pk", "area_id", "name").get(pk=resident_id)
    ids = institution_ids(user)
    why = access_reason(user, resident_id=resident.pk, resident_area_id=resident.area_id) or "institution"
    record_read(user, subject=resident, institution_id=ids[0] if ids else None, reason=why, detail=detail)


def resident_for_write(user, patient_id: str | None, field: str) -> Resident:
    """The referenced patient, if the user may see it; 422 otherwise (the same answer for "not there" and
    "not yours", so existence does not leak).

    A conditional reference ``Patient?identifier=<system>|<number>`` finds the one record with that document
    number in the whole county, for a user who acts for an institution: a hospital's HIS knows its patient's
    citizen ID, not our record id, and its first encounter is what makes the care relationship (the same
    matching as the import of encounters)."""
    if not patient_id:
        raise invalid(_("请指明居民（%(field)s）。") % {"field": field}, field, 422)
    if patient_id.startswith("Patient?"):
        return _resident_by_identifier(user, patient_id, field)
    pk = int_id(patient_id)
    resident = visible_residents(user).filter(pk=pk).first() if pk else None
    if resident is None:
        raise FhirError(422, "not-found", _("引用的居民不存在或您无权查看。"), field)
    if resident.status == RecordStatus.MERGED and resident.merged_into_id:
        resident = Resident.objects.get(pk=resident.merged_into_id)
    return resident


def _resident_by_identifier(user, reference: str, field: str) -> Resident:
    from django.http import QueryDict

    from .patient import _identifier_q

    query = QueryDict(reference.split("?", 1)[1])
    values = query.getlist("identifier")
    if set(query) - {"identifier"} or len(values) != 1 or "|" not in values[0]:
        raise invalid(_("条件引用只支持 identifier=<system>|<号码>。"), field, 422)
    if not any(can_act_for(user, i) for i in roles_by_institution(user)):
        raise FhirError(422, "not-found", _("引用的居民不存在或您无权查看。"), field)
    matches = list(Resident.objects.exclude(status=RecordStatus.MERGED).filter(_identifier_q(values[0]))[:2])
    if len(matches) != 1:
        raise FhirError(422, "not-found" if not matches else "multiple-matches",
                        _("引用的居民不存在或您无权查看。") if not matches else _("条件引用匹配到多份档案。"), field)
    return matches[0]


def acting_institution(user, organization_id: str | None, field: str, *, area=None) -> Institution:
    """The institution named in the data, or — when none is named — the user's own: the one serving
    ``area``, or their only institution. The action itself checks that the user may act for it."""
    if organization_id:
        pk = int_id(organization_id)
        inst = Institution.objects.filter(pk=pk).first() if pk else None
        if inst is None:
            raise FhirError(422, "not-found", _("引用的机构不存在。"), field)
        return inst
    mine = [i for i in roles_by_institution(user) if can_act_for(user, i)]
    candidates = list(Institution.objects.filter(pk__in=mine).prefetch_related("service_areas").order_by("pk"))
    if area is not None:
        covering = [i for i in candidates if any(area.path.startswith(a.path) for a in i.service_areas.all())]
        if covering:
            return covering[0]
    if len(candidates) == 1:
        return candidates[0]
    raise invalid(_("请指明机构（%(field)s）：您属于多个机构或不能代表任何机构。") % {"field": field}, field, 422)


def one(qs: QuerySet, raw_id: str):
    pk = int_id(raw_id)
    found = qs.filter(pk=pk).first() if pk else None
    if found is None:
        raise not_found()
    return found

