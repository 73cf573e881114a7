"""Practitioner ← org.User (staff) and PractitionerRole ← org.Membership (a user's place and roles at one
institution). Read only. Phone numbers of staff are not published."""
from __future__ import annotations

from yigongti.org.models import Membership, Role, User

from .. import systems
from .common import concept, ref, strip_empty


def to_fhir(user: User) -> dict:
    name = user.full_name or user.username
    resource = {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "identifier": [{"system": systems.sid(systems.USERNAME), "value": user.username}],
        "active": user.is_active,
        "name": [{"use": "official", "text": name}],
    }
    if user.title_name or user.title:
        resource["qualification"] = [{"code": concept(systems.codesystem("professional-title"), user.title or "none",
                                                      str(user.get_title_display()) if user.title else None,
                                                      user.title_name or None)}]
    return strip_empty(resource)


def role_to_fhir(membership: Membership) -> dict:
    roles = sorted(r.role for r in membership.roles.all())
    labels = dict(Role.choices)
    period = {"start": membership.start_date.isoformat() if membership.start_date else None,
              "end": membership.end_date.isoformat() if membership.end_date else None}
    return strip_empty({
        "resourceType": "PractitionerRole",
        "id": str(membership.pk),
        "active": membership.institution.active,
        "period": period,
        "practitioner": ref("Practitioner", membership.user_id),
        "organization": ref("Organization", membership.institution_id),
        "code": [concept(systems.codesystem("staff-role"), role, str(labels.get(role, role))) for role in roles],
        "specialty": [{"text": membership.department.name}] if membership.department_id else [],
    })
