"""Referrals as ServiceRequest and Task (read and search), through referrals.queries — only when the referrals
app provides them. The referral form is one source of the ServiceRequest kind (kinds/servicerequest.py: ids are
the referral's id, category SNOMED CT 3457005 "Patient referral"; diagnostic requests are the other source);
its workflow is the Task kind, registered here. Statuses are mapped in fhir/mapping/referral.py; ``status``
searches use the FHIR codes (a Task status may stand for several referral states)."""
from __future__ import annotations

import importlib.util

from django.db.models import Q
from django.db.models.functions import Coalesce

from .. import systems
from ..errors import not_found
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, date_q, int_id, token
from ._common import ids_q, page_of, patient_ids
from .servicerequest import Source, add_source, reference_q

AVAILABLE = importlib.util.find_spec("yigongti.referrals.queries") is not None


def _tokens(raw: str, *systems_accepted: str) -> list[str]:
    """The codes of a token parameter's comma list whose system is one of ``systems_accepted`` (or not given)."""
    found = []
    for part in raw.split(","):
        system, code = token(part)
        if code and system in (None, "", *systems_accepted):
            found.append(code)
    return found


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
            qs = qs.filter(reference_q(raw, "to_institution", "to_doctor"))
        for raw in params.get("requester"):
            qs = qs.filter(reference_q(raw, "from_institution", "referring_doctor"))
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

    # --- ServiceRequest: the referral form, one source of the merged kind -------------------------------

    def _requests(user):
        # authoredOn is when the form was submitted (a draft: when it was written)
        return _qs(user).annotate(authored=Coalesce("submitted_at", "created_at"))

    def _narrow(qs, params: Params):
        for raw in params.get("category"):
            if mapping.REFERRAL[0] not in _tokens(raw, mapping.SNOMED):
                return None
        for raw in params.get("code"):
            qs = qs.filter(referral_type__in=_tokens(raw, systems.codesystem("referral-type")))
        for raw in params.get("status"):
            qs = qs.filter(_status_q(raw, mapping.REQUEST_STATUS))
        for raw in params.get("requester"):
            qs = qs.filter(reference_q(raw, "from_institution", "referring_doctor"))
        for raw in params.get("performer"):
            qs = qs.filter(reference_q(raw, "to_institution", "to_doctor"))
        for raw in params.get("identifier"):
            qs = qs.filter(number__in=_tokens(raw, systems.sid("referral-number")))
        return qs

    add_source(Source(
        prefix="",
        documentation="Referral forms (双向转诊单): the request to another institution; id the referral's id, "
                      "category SNOMED CT 3457005.",
        queryset=_requests, narrow=_narrow,
        read=lambda user, pk: queries.get_referral_for(user, pk, detail="fhir servicerequest"),
        to_fhir=mapping.to_service_request,
        params={"status": "referral: draft | active | completed | revoked",
                "requester": "referral: Organization/<sending institution> or Practitioner/<referring doctor>",
                "performer": "referral: Organization/<receiving institution> or Practitioner/<receiving doctor>",
                "category": f"{mapping.SNOMED}|{mapping.REFERRAL[0]} (referral)",
                "code": f"referral: the referral type ({systems.codesystem('referral-type')})",
                "identifier": f"referral: the number printed on the form ({systems.sid('referral-number')})"},
    ))

    # --- Task: the referral's workflow ------------------------------------------------------------------

    register(ResourceKind(
        type="Task",
        documentation="The workflow of a referral: status mapped from the referral state (businessStatus "
                      "carries the state itself); owner is the receiving institution or doctor.",
        read=lambda user, raw_id: _read(user, raw_id, mapping.to_task, "fhir task"),
        search=lambda user, params: page_of(_filtered(user, params, mapping.TASK_STATUS, "owner"), params,
                                            mapping.to_task),
        export=lambda user: _export(user, mapping.to_task), patient_compartment=True,
        search_params=[SearchParam("_id", "token", "Logical id (the referral's id)"),
                       SearchParam("patient", "reference", "The resident"),
                       SearchParam("subject", "reference", "The resident"),
                       SearchParam("requester", "reference", "Organization/<sending institution> or "
                                                             "Practitioner/<referring doctor>"),
                       SearchParam("identifier", "token", "The referral number printed on the form"),
                       SearchParam("authored", "date", "When the referral was written"),
                       SearchParam("status", "token", "draft | requested | accepted | in-progress | completed | "
                                                      "rejected | cancelled | failed (expired)"),
                       SearchParam("owner", "reference", "Organization/<receiving institution> or "
                                                         "Practitioner/<receiving doctor>")],
    ))
