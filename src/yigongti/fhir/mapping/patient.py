"""Patient ↔ people.Resident (WS 365 个人基本信息表 essentials).

identifier: the document (system by document type, typed with v2-0203) and the 17-digit health-record number
(MR); name: the Chinese name as ``text`` (plus ``family``/``given`` split at the first character, the common
case — compound surnames are not guessed); gender from GB/T 2261.1; address: the current address as text with
the village's 12-digit area code in an extension and the county/township/village names; managingOrganization:
the institution that keeps the record."""
from __future__ import annotations

from yigongti.people import crypto
from yigongti.people.models import RecordStatus, Resident
from yigongti.rules.masking import mask_document, mask_phone

from .. import systems
from ..errors import invalid
from .common import concept, meta, parse_date, ref, reference_target, strip_empty

GENDER = {"1": "male", "2": "female", "0": "unknown", "9": "unknown"}
SEX = {"male": "1", "female": "2", "unknown": "0", "other": "9"}


def area_extension(area) -> dict:
    return {"url": systems.extension(systems.AREA_CODE), "valueCode": area.code}


def _address(r: Resident, masked: bool) -> dict:
    """The village (and its township and county) always; the free-text address only when not masked."""
    area = r.area
    township = area.parent if area.parent_id else None
    county = township.parent if township is not None and township.parent_id else None
    return {"use": "home", "extension": [area_extension(area)],
            "text": None if masked else crypto.decrypt(r.address_enc),
            "line": [name for name in (township.name if township else None, area.name) if name],
            "district": county.name if county else None, "country": "CN"}


def to_fhir(r: Resident, *, masked: bool = False) -> dict:
    """``masked``: in search results document and phone numbers are masked and the address left out, as in
    every list of the platform; a read (audited) and the export carry them in full."""
    number = crypto.decrypt(r.document_number_enc)
    identifiers = []
    system = systems.document_system(r.document_type)
    if number and system:
        _name, type_code, display = systems.DOCUMENTS[r.document_type]
        identifiers.append({"use": "official", "type": concept(systems.V2_0203, type_code, None, display),
                            "system": system, "value": mask_document(number) if masked else number})
    if r.record_number:
        identifiers.append({"use": "usual", "type": concept(systems.V2_0203, "MR", None, "健康档案编号"),
                            "system": systems.sid(systems.RECORD_NUMBER), "value": r.record_number})
    phone = crypto.decrypt(r.phone_enc)
    name = {"use": "official", "text": r.name}
    if len(r.name) >= 2:
        name.update(family=r.name[0], given=[r.name[1:]])
    address = _address(r, masked)
    resource = {
        "resourceType": "Patient",
        "id": str(r.pk),
        "meta": meta(r.version, r.updated_at),
        "identifier": identifiers,
        "active": r.status == RecordStatus.ACTIVE,
        "name": [name],
        "telecom": [{"system": "phone", "value": mask_phone(phone) if masked else phone,
                     "use": "mobile" if len(phone) == 11 else "home"}] if phone else [],
        "gender": GENDER.get(r.sex, "unknown"),
        "birthDate": r.birth_date.isoformat(),
        "address": [address],
        "managingOrganization": ref("Organization", r.managing_institution_id) if r.managing_institution_id else None,
    }
    if r.death_date:
        resource["deceasedDateTime"] = r.death_date.isoformat()
    if r.status == RecordStatus.MERGED and r.merged_into_id:
        resource["link"] = [{"other": ref("Patient", r.merged_into_id), "type": "replaced-by"}]
    if r.contact_name and not masked:
        resource["contact"] = [{"name": {"text": r.contact_name},
                                "telecom": [{"system": "phone", "value": crypto.decrypt(r.contact_phone_enc)}]}]
    return strip_empty(resource)


def from_fhir(resource: dict) -> dict:
    """Keyword arguments of people.actions.register_resident / update_resident, plus ``area_code`` and
    ``organization_id`` for the kind to resolve. Only what the resource carries is returned."""
    data: dict = {}
    names = resource.get("name") or []
    if names:
        first = next((n for n in names if n.get("use") == "official"), names[0])
        text = (first.get("text") or "").strip() or (
            (first.get("family") or "") + "".join(first.get("given") or [])).strip()
        data["name"] = text
    if "gender" in resource:
        if resource["gender"] not in SEX:
            raise invalid("Patient.gender must be male, female, other or unknown.", "Patient.gender", 422)
        data["sex"] = SEX[resource["gender"]]
    if resource.get("birthDate"):
        data["birth_date"] = parse_date(resource["birthDate"], "Patient.birthDate")
    documents = []
    for identifier in resource.get("identifier") or []:
        doc_type = systems.document_type_of(identifier.get("system") or "")
        if doc_type and identifier.get("value"):
            documents.append((doc_type, identifier["value"]))
    if documents:
        data["document_type"], data["id_number"] = documents[0]
    phones = [t.get("value") for t in resource.get("telecom") or [] if t.get("system") == "phone" and t.get("value")]
    if phones:
        data["phone"] = phones[0]
    addresses = resource.get("address") or []
    if addresses:
        address = next((a for a in addresses if a.get("use") == "home"), addresses[0])
        text = (address.get("text") or "").strip()  # ``line`` holds township and village names we emit
        if text:
            data["address"] = text[:200]
        for ext in address.get("extension") or []:
            if ext.get("url") == systems.extension(systems.AREA_CODE) and ext.get("valueCode"):
                data["area_code"] = ext["valueCode"]
    contacts = resource.get("contact") or []
    if contacts:
        contact = contacts[0]
        if (contact.get("name") or {}).get("text"):
            data["contact_name"] = contact["name"]["text"][:40]
        contact_phones = [t.get("value") for t in contact.get("telecom") or [] if t.get("system") == "phone"]
        if contact_phones and contact_phones[0]:
            data["contact_phone"] = contact_phones[0]
    organization = reference_target(resource.get("managingOrganization"), "Organization",
                                    "Patient.managingOrganization")
    if organization:
        data["organization_id"] = organization
    return data
