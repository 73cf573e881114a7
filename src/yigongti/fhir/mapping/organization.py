"""Organization ← org.Institution (read only: the structure is kept by the consortium office in org)."""
from __future__ import annotations

from yigongti.org.models import Institution

from .. import systems
from .common import concept, ref, strip_empty
from .patient import area_extension


def to_fhir(inst: Institution) -> dict:
    identifiers = [{"use": "official", "system": systems.sid(systems.INSTITUTION_CODE), "value": inst.code}]
    if inst.insurance_code:
        identifiers.append({"use": "secondary", "system": systems.sid(systems.INSURANCE_CODE),
                            "value": inst.insurance_code})
    return strip_empty({
        "resourceType": "Organization",
        "id": str(inst.pk),
        "identifier": identifiers,
        "active": inst.active,
        "type": [concept(systems.codesystem("institution-kind"), inst.kind, str(inst.get_kind_display())),
                 concept(systems.codesystem("institution-tier"), inst.tier, str(inst.get_tier_display()))],
        "name": inst.name,
        "alias": [inst.short_name] if inst.short_name else [],
        "telecom": [{"system": "phone", "value": inst.phone, "use": "work"}] if inst.phone else [],
        "address": [{"use": "work", "text": inst.address, "extension": [area_extension(inst.area)],
                     "country": "CN"}],
        "partOf": ref("Organization", inst.parent_id) if inst.parent_id else None,
    })
