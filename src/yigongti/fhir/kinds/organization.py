"""Organization: the consortium's institutions (org). Structure is not personal data: every signed-in user
may read it (org/queries.py); it is changed in org, not over FHIR."""
from __future__ import annotations

from django.db.models import Q

from yigongti.org.models import Institution

from .. import systems
from ..mapping import organization as mapping
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, reference_id, token
from ._common import ids_q, one, page_of


def _qs(user):
    if not getattr(user, "is_authenticated", False):
        return Institution.objects.none()
    return Institution.objects.select_related("area")


def read(user, raw_id: str) -> dict:
    return mapping.to_fhir(one(_qs(user), raw_id))


def search(user, params: Params):
    qs = _qs(user).filter(ids_q(params))
    for raw in params.get("name"):
        q = Q(pk__in=[])
        for part in raw.split(","):
            q |= Q(name__contains=part.strip()) | Q(short_name__contains=part.strip())
        qs = qs.filter(q)
    for raw in params.get("identifier"):
        q = Q(pk__in=[])
        for part in raw.split(","):
            system, value = token(part)
            if system in (None, systems.sid(systems.INSTITUTION_CODE)):
                q |= Q(code=value)
            if system in (None, systems.sid(systems.INSURANCE_CODE)):
                q |= Q(insurance_code=value)
        qs = qs.filter(q)
    for raw in params.get("partof"):
        ids = [reference_id(v, "Organization") for v in raw.split(",")]
        qs = qs.filter(parent_id__in=[int(i) for i in ids if i.isdigit()])
    for raw in params.get("type"):
        qs = qs.filter(Q(kind__in=[token(v)[1] for v in raw.split(",")]) | Q(tier__in=[token(v)[1] for v in raw.split(",")]))
    for raw in params.get("active"):
        qs = qs.filter(active=raw == "true")
    return page_of(qs.order_by("pk"), params, mapping.to_fhir)


def export(user):
    for inst in _qs(user).order_by("pk").iterator(chunk_size=500):
        yield mapping.to_fhir(inst)


register(ResourceKind(
    type="Organization",
    documentation="Institutions of the consortium (org.Institution); partOf is the running institution "
                  "(a village clinic's township centre).",
    read=read, search=search, export=export,
    search_params=[
        SearchParam("_id", "token", "Logical id"),
        SearchParam("name", "string", "Part of the name or short name"),
        SearchParam("identifier", "token", "Institution code or insurance code"),
        SearchParam("partof", "reference", "The parent institution"),
        SearchParam("type", "token", "Institution kind or tier code"),
        SearchParam("active", "token", "true | false"),
    ],
))
