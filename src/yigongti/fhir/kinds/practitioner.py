"""Practitioner (staff, org.User) and PractitionerRole (org.Membership): structure, readable by every signed-in
user; the three separated administrators are not practitioners and are left out."""
from __future__ import annotations

from django.db.models import Q

from yigongti.org.access import ADMINISTRATOR_ROLES
from yigongti.org.models import Membership, StaffRole, User

from .. import systems
from ..mapping import practitioner as mapping
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, reference_id, token
from ._common import ids_q, one, page_of


def _clinical_memberships():
    return Membership.objects.filter(roles__isnull=False).exclude(
        pk__in=StaffRole.objects.filter(role__in=ADMINISTRATOR_ROLES).values("membership_id")).distinct()


def _users(user):
    if not getattr(user, "is_authenticated", False):
        return User.objects.none()
    return User.objects.filter(pk__in=_clinical_memberships().values("user_id"))


def _memberships(user):
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (Membership.objects.filter(pk__in=_clinical_memberships().values("pk"))
            .select_related("institution", "department").prefetch_related("roles"))


def read(user, raw_id: str) -> dict:
    return mapping.to_fhir(one(_users(user), raw_id))


def search(user, params: Params):
    qs = _users(user).filter(ids_q(params))
    for raw in params.get("name"):
        q = Q(pk__in=[])
        for part in raw.split(","):
            q |= Q(full_name__startswith=part.strip()) | Q(username__startswith=part.strip())
        qs = qs.filter(q)
    for raw in params.get("identifier"):
        values = [token(v)[1] for v in raw.split(",") if token(v)[0] in (None, systems.sid(systems.USERNAME))]
        qs = qs.filter(username__in=values)
    return page_of(qs.order_by("pk"), params, mapping.to_fhir)


def export(user):
    for staff in _users(user).order_by("pk").iterator(chunk_size=500):
        yield mapping.to_fhir(staff)


def read_role(user, raw_id: str) -> dict:
    return mapping.role_to_fhir(one(_memberships(user), raw_id))


def search_roles(user, params: Params):
    qs = _memberships(user).filter(ids_q(params))
    for raw in params.get("practitioner"):
        ids = [reference_id(v, "Practitioner") for v in raw.split(",")]
        qs = qs.filter(user_id__in=[int(i) for i in ids if i.isdigit()])
    for raw in params.get("organization"):
        ids = [reference_id(v, "Organization") for v in raw.split(",")]
        qs = qs.filter(institution_id__in=[int(i) for i in ids if i.isdigit()])
    for raw in params.get("role"):
        qs = qs.filter(roles__role__in=[token(v)[1] for v in raw.split(",")]).distinct()
    return page_of(qs.order_by("pk"), params, mapping.role_to_fhir)


def export_roles(user):
    for membership in _memberships(user).order_by("pk"):
        yield mapping.role_to_fhir(membership)


register(ResourceKind(
    type="Practitioner",
    documentation="Staff of the consortium (org.User with a clinical or public-health role).",
    read=read, search=search, export=export,
    search_params=[SearchParam("_id", "token", "Logical id"),
                   SearchParam("name", "string", "Start of the name or user name"),
                   SearchParam("identifier", "token", "User name")],
))
register(ResourceKind(
    type="PractitionerRole",
    documentation="A practitioner's place and roles at one institution (org.Membership).",
    read=read_role, search=search_roles, export=export_roles,
    search_params=[SearchParam("_id", "token", "Logical id"),
                   SearchParam("practitioner", "reference", "The practitioner"),
                   SearchParam("organization", "reference", "The institution"),
                   SearchParam("role", "token", "Role code (staff-role code system)")],
))
