"""ServiceRequest and Task for referrals (read and search), through referrals.queries — registered only when
the referrals app provides them. Statuses are mapped in fhir/mapping/referral.py; ``status`` searches use the
FHIR codes (a Task status may stand for several referral states)."""
from __future__ import annotations

import importlib.util

from django.db.models import Q

from ..errors import not_found
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, reference_id, token
from ._common import ids_q, page_of, patient_ids

AVAILABLE = importlib.util.find_spec("yigongti.referrals.queries") is not None


def _reference_q(raw: str, organization_field: str, practitioner_field: str) -> Q:
    q = Q(pk__in=[])
    for part in raw.split(","):
        kind = "Practitioner" if part.startswith("Practitioner/") else "Organization"
        pk = int_id(reference_id(part, kind))
        if pk is not None:
            q |= Q(**{f"{practitioner_field if kind == 'Practitioner' else organization_field}_id": pk})
    return q


if AVAILABLE:
    from yigongti.referrals import queries

    from ..mapping import referral as mapping

    def _qs(user):
        return queries.with_state(queries.visible_referrals(user))

    def _status_q(raw: str, table: dict[str, str]) -> Q:
        wanted = {token(v)[1] for v in raw.split(",")}
        states = [state for state, code in table.items() if code in wanted]
        return Q(state__in=states)

    def _filtered(user, params: Params, table: dict[str, str], owner_param: str):
        qs = _qs(user).filter(ids_q(params))
        for ids in patient_ids(params):
            qs = qs.filter(resident_id__in=ids)
        for raw in params.get("status"):
            qs = qs.filter(_status_q(raw, table))
        for raw in params.get(owner_param):
            qs = qs.filter(_reference_q(raw, "to_institution", "to_doctor"))
        for raw in params.get("requester"):
            qs = qs.filter(_reference_q(raw, "from_institution", "referring_doctor"))
        for raw in params.get("identifier"):
            qs = qs.filter(number__in=[token(v)[1] for v in raw.split(",")])
        if params.get("authored"):
            qs = qs.filter(date_q("created_at", params.get("authored"), is_datetime=True))
        return qs.order_by("-pk")

    def _read(user, raw_id: str, to_fhir, detail: str) -> dict:
        pk = int_id(raw_id)
        if pk is None:
            raise not_found()
        return to_fhir(queries.get_referral_for(user, pk, detail=detail))

    def _export(user, to_fhir):
        for r in _qs(user).order_by("pk").iterator(chunk_size=500):
            yield to_fhir(r)

    COMMON = [SearchParam("_id", "token", "Logical id (the referral's id)"),
              SearchParam("patient", "reference", "The resident"),
              SearchParam("subject", "reference", "The resident"),
              SearchParam("requester", "reference", "Organization/<sending institution> or "
                                                    "Practitioner/<referring doctor>"),
              SearchParam("identifier", "token", "The referral number printed on the form"),
              SearchParam("authored", "date", "When the referral was written")]

    register(ResourceKind(
        type="ServiceRequest",
        documentation="Referral forms (双向转诊单): the request to another institution.",
        read=lambda user, raw_id: _read(user, raw_id, mapping.to_service_request, "fhir servicerequest"),
        search=lambda user, params: page_of(_filtered(user, params, mapping.REQUEST_STATUS, "performer"), params,
                                            mapping.to_service_request),
        export=lambda user: _export(user, mapping.to_service_request), patient_compartment=True,
        search_params=[*COMMON,
                       SearchParam("status", "token", "draft | active | completed | revoked"),
                       SearchParam("performer", "reference", "Organization/<receiving institution> or "
                                                             "Practitioner/<receiving doctor>")],
    ))
    register(ResourceKind(
        type="Task",
        documentation="The workflow of a referral: status mapped from the referral state (businessStatus "
                      "carries the state itself); owner is the receiving institution or doctor.",
        read=lambda user, raw_id: _read(user, raw_id, mapping.to_task, "fhir task"),
        search=lambda user, params: page_of(_filtered(user, params, mapping.TASK_STATUS, "owner"), params,
                                            mapping.to_task),
        export=lambda user: _export(user, mapping.to_task), patient_compartment=True,
        search_params=[*COMMON,
                       SearchParam("status", "token", "draft | requested | accepted | in-progress | completed | "
                                                      "rejected | cancelled | failed (expired)"),
                       SearchParam("owner", "reference", "Organization/<receiving institution> or "
                                                         "Practitioner/<receiving doctor>")],
    ))
