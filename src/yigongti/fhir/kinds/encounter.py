"""Encounter: read, search, create and update through people.actions — record_encounter for institutions whose
clinical system is this platform, ingest_encounter (idempotent on the HIS's encounter number) when the
resource carries an identifier; the indicators' rollups follow through EncounterChanged."""
from __future__ import annotations

from django.utils.translation import gettext as _

from yigongti.org.models import User
from yigongti.people import actions
from yigongti.people.models import EncounterSource
from yigongti.people.queries import visible_encounters

from ..errors import FhirError, invalid
from ..mapping import encounter as mapping
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, token
from ._common import acting_institution, audit_read, ids_q, one, page_of, patient_ids, resident_for_write

SELECT = ("institution",)


def _qs(user):
    return visible_encounters(user).select_related(*SELECT)


def read(user, raw_id: str) -> dict:
    enc = one(_qs(user), raw_id)
    audit_read(user, enc.resident_id, "fhir encounter")
    return mapping.to_fhir(enc)


def filtered(user, params: Params):
    qs = _qs(user).filter(ids_q(params))
    for ids in patient_ids(params):
        qs = qs.filter(resident_id__in=ids)
    if params.get("date"):
        qs = qs.filter(date_q("visit_date", params.get("date"), is_datetime=False))
    for raw in params.get("identifier"):
        qs = qs.filter(external_id__in=[token(v)[1] for v in raw.split(",")])
    for raw in params.get("class"):
        kinds = [mapping.KIND.get(token(v)[1], "-") for v in raw.split(",")]
        qs = qs.filter(kind__in=kinds)
    return qs


def search(user, params: Params):
    return page_of(filtered(user, params).order_by("-visit_date", "-pk"), params, mapping.to_fhir)


def _fields(user, data: dict, institution) -> dict:
    fields = {k: v for k, v in data.items() if k in actions.ENCOUNTER_FIELDS}
    practitioner = data.get("practitioner_id")
    if practitioner:
        doctor = User.objects.filter(pk=int(practitioner) if practitioner.isdigit() else 0,
                                     memberships__institution=institution).first()
        if doctor is None:
            raise FhirError(422, "not-found", _("参与医生不是该机构的人员。"), "Encounter.participant")
        fields["doctor"] = doctor
    return fields


def create(user, resource: dict, if_none_exist: str | None) -> tuple[dict, bool]:
    data = mapping.from_fhir(resource)
    resident = resident_for_write(user, data.get("patient_id"), "Encounter.subject")
    institution = acting_institution(user, data.get("organization_id"), "Encounter.serviceProvider")
    fields = _fields(user, data, institution)
    if data.get("external_id"):
        enc, status = actions.ingest_encounter(user, institution=institution, external_id=data["external_id"],
                                               source=EncounterSource.HIS, resident=resident, **fields)
        return mapping.to_fhir(enc), status == "created"
    enc = actions.record_encounter(user, institution=institution, resident=resident, **fields)
    return mapping.to_fhir(enc), True


def update(user, raw_id: str, resource: dict, expected_version: int | None) -> dict:
    enc = one(_qs(user), raw_id)
    if resource.get("id") != str(enc.pk):
        raise invalid(_("资源 id 须与地址中的 id 一致。"), "Encounter.id")
    data = mapping.from_fhir(resource)
    fields = _fields(user, data, enc.institution)
    if enc.source == EncounterSource.YIGONGTI:
        updated = actions.update_encounter(user, enc, expected_version, **fields)
    else:
        if expected_version is not None and expected_version != enc.version:
            from yigongti.people.actions import StaleVersion

            raise StaleVersion()
        resident = resident_for_write(user, data.get("patient_id") or str(enc.resident_id), "Encounter.subject")
        updated, _status = actions.ingest_encounter(user, institution=enc.institution, external_id=enc.external_id,
                                                    source=enc.source, resident=resident, **fields)
    return mapping.to_fhir(updated)


def export(user):
    for enc in _qs(user).order_by("pk").iterator(chunk_size=500):
        yield mapping.to_fhir(enc)


register(ResourceKind(
    type="Encounter",
    documentation="Visits and stays (people.Encounter) with their cost breakdown in the encounter-costs "
                  "extension. Create with an identifier is idempotent on (institution, identifier).",
    read=read, search=search, create=create, update=update, export=export, patient_compartment=True,
    versioned=True,
    search_params=[
        SearchParam("_id", "token", "Logical id"),
        SearchParam("patient", "reference", "The resident"),
        SearchParam("subject", "reference", "The resident"),
        SearchParam("date", "date", "Visit (admission) date"),
        SearchParam("identifier", "token", "The HIS's encounter number"),
        SearchParam("class", "token", "AMB | IMP | EMER"),
    ],
))
