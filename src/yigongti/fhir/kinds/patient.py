"""Patient: read, search, create (also conditional, If-None-Exist), update — through people.queries and
people.actions, so FHIR registrations get the same ID checks and duplicate detection as the pages."""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from yigongti.org.models import Area
from yigongti.people import actions, crypto
from yigongti.people.models import RecordStatus
from yigongti.people.queries import _prefix, get_resident_for, visible_residents
from yigongti.rules import idcard

from .. import systems
from ..errors import FhirError, invalid
from ..mapping import patient as mapping
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, token
from ._common import acting_institution, ids_q, page_of

SELECT = ("area__parent__parent", "managing_institution")


def read(user, raw_id: str) -> dict:
    resident = get_resident_for(user, raw_id, detail="fhir")
    return mapping.to_fhir(resident)


def _identifier_q(raw: str) -> Q:
    q = Q(pk__in=[])
    for part in raw.split(","):
        system, value = token(part)
        value = value.strip()
        if not value:
            continue
        if system == systems.sid(systems.RECORD_NUMBER):
            q |= Q(record_number=value)
            continue
        doc_type = systems.document_type_of(system) if system else None
        if system and doc_type is None:
            continue  # a system we do not know matches nothing
        number = value.upper()
        if doc_type in (None, "id_card", "hmt_permit") and len(number) == 15 and number.isdigit():
            try:
                number = idcard.convert_15_to_18(number)
            except idcard.IdCardError:
                pass
        cond = Q(document_index=crypto.blind_index("document", number))
        if doc_type:
            cond &= Q(document_type=doc_type)
        else:
            cond |= Q(record_number=value)
        q |= cond
    return q


def _name_q(raw: str) -> Q:
    q = Q(pk__in=[])
    for part in raw.split(","):
        text = part.strip().replace(" ", "")
        if not text:
            continue
        if text.isascii() and text.isalpha():
            lower = text.lower()
            q |= _prefix("name_initials", lower) | _prefix("name_pinyin", lower)
        else:
            q |= Q(name__startswith=text)
    return q


def filtered(user, params: Params):
    qs = visible_residents(user).exclude(status=RecordStatus.MERGED)
    qs = qs.filter(ids_q(params))
    for raw in params.get("identifier"):
        qs = qs.filter(_identifier_q(raw))
    for raw in params.get("name"):
        qs = qs.filter(_name_q(raw))
    if params.get("birthdate"):
        qs = qs.filter(date_q("birth_date", params.get("birthdate"), is_datetime=False))
    for raw in params.get("gender"):
        sexes = [s for g in raw.split(",") for s in (["0", "9"] if g == "unknown" else [mapping.SEX.get(g, "x")])]
        qs = qs.filter(sex__in=sexes)
    for raw in params.get("organization"):
        ids = [int(v.split("/")[-1]) for v in raw.split(",") if v.split("/")[-1].isdigit()]
        qs = qs.filter(managing_institution_id__in=ids)
    return qs


def search(user, params: Params):
    qs = filtered(user, params).select_related(*SELECT).order_by("pk")
    return page_of(qs, params, lambda r: mapping.to_fhir(r, masked=True))


def _resolve(data: dict) -> dict:
    area_code = data.pop("area_code", None)
    data.pop("organization_id", None)
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            raise FhirError(422, "code-invalid", _("区划代码 %(code)s 不存在。") % {"code": area_code},
                            "Patient.address.extension")
        data["area"] = area
    return data


def create(user, resource: dict, if_none_exist: str | None) -> tuple[dict, bool]:
    if if_none_exist:
        from django.http import QueryDict

        matches = list(filtered(user, Params({k: v for k, v in QueryDict(if_none_exist).lists()}, 0, 2))[:2])
        if len(matches) > 1:
            raise FhirError(412, "multiple-matches", _("条件创建匹配到多份档案。"))
        if matches:
            return read(user, str(matches[0].pk)), False
    data = mapping.from_fhir(resource)
    organization_id = data.get("organization_id")
    data = _resolve(data)
    if "area" not in data:
        raise invalid(_("请在地址中给出村/社区的12位区划代码（扩展 %(url)s）。")
                      % {"url": systems.extension(systems.AREA_CODE)}, "Patient.address", 422)
    institution = acting_institution(user, organization_id, "Patient.managingOrganization", area=data["area"])
    resident = actions.register_resident(user, institution=institution, **data)
    return read(user, str(resident.pk)), True


def update(user, raw_id: str, resource: dict, expected_version: int | None) -> dict:
    resident = get_resident_for(user, raw_id, detail="fhir update")
    if resource.get("id") != str(resident.pk):
        raise invalid(_("资源 id 须与地址中的 id 一致。"), "Patient.id")
    data = _resolve(mapping.from_fhir(resource))
    actions.update_resident(user, resident, expected_version, **data)
    return read(user, raw_id)


def export(user):
    qs = visible_residents(user).exclude(status=RecordStatus.MERGED).select_related(*SELECT).order_by("pk")
    for resident in qs.iterator(chunk_size=500):
        yield mapping.to_fhir(resident)


register(ResourceKind(
    type="Patient",
    documentation="居民健康档案 (people.Resident). Identifiers: see docs/fhir.md. Search results mask document "
                  "and phone numbers; a read (audited) carries them in full.",
    read=read, search=search, create=create, update=update, export=export, patient_compartment=True,
    conditional_create=True, versioned=True,
    search_params=[
        SearchParam("_id", "token", "Logical id"),
        SearchParam("identifier", "token", "Document number or health-record number (system|value or value)"),
        SearchParam("name", "string", "Start of the name, or pinyin initials / start of the full pinyin"),
        SearchParam("birthdate", "date", "Date of birth (eq, ne, lt, le, gt, ge)"),
        SearchParam("gender", "token", "male | female | unknown"),
        SearchParam("organization", "reference", "managingOrganization"),
    ],
))
