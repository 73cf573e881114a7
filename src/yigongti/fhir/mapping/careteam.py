"""CareTeam ← familydoctor.Team (a "1+1+N" family-doctor team: a county specialist, a township GP, nurses,
public-health staff and village doctors, possibly from several institutions). One CareTeam per team, not per
patient: a resident's team is found with ``CareTeam?patient=`` (their active contract)."""
from __future__ import annotations

from .. import systems
from .common import concept, ref, strip_empty


def to_fhir(team, members) -> dict:
    participants = []
    for m in members:
        participants.append({
            "role": [concept(systems.codesystem("team-role"), m.role, str(m.get_role_display()))],
            "member": ref("Practitioner", m.user_id),
            "onBehalfOf": ref("Organization", m.institution_id),
        })
    return strip_empty({
        "resourceType": "CareTeam",
        "id": str(team.pk),
        "status": "active" if team.active else "inactive",
        "category": [concept(systems.codesystem("care-team-kind"), "family-doctor-team", "家庭医生团队")],
        "name": team.name,
        "participant": participants,
        "managingOrganization": [ref("Organization", team.institution_id)],
    })
