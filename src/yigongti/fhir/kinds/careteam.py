"""CareTeam: family-doctor teams (read, search) through familydoctor.queries, when that app provides them.
``patient`` finds the team of a resident's active contract (only for residents the user may see)."""
from __future__ import annotations

import importlib.util

from django.db.models import Q

from ..errors import not_found
from ..registry import ResourceKind, SearchParam, register
from ..search import Params, int_id, reference_id, token
from ._common import ids_q, page_of, patient_ids

AVAILABLE = importlib.util.find_spec("yigongti.familydoctor.queries") is not None

if AVAILABLE:
    from yigongti.familydoctor import queries

    from ..mapping import careteam as mapping

    def _to_fhir(team) -> dict:
        return mapping.to_fhir(team, list(team.members.all().order_by("role", "pk")))

    def _qs(user):
        return queries.visible_teams(user).prefetch_related("members")

    def read(user, raw_id: str) -> dict:
        pk = int_id(raw_id)
        team = _qs(user).filter(pk=pk).first() if pk else None
        if team is None:
            raise not_found()
        return _to_fhir(team)

    def search(user, params: Params):
        qs = _qs(user).filter(ids_q(params))
        for ids in patient_ids(params):
            teams = queries.visible_contracts(user).filter(resident_id__in=ids, status="active").values("team_id")
            qs = qs.filter(pk__in=teams)
        for raw in params.get("participant"):
            users = [int_id(reference_id(v, "Practitioner")) for v in raw.split(",")]
            users = [u for u in users if u is not None]
            qs = qs.filter(Q(members__user_id__in=users) | Q(leader_id__in=users)).distinct()
        for raw in params.get("status"):
            wanted = {token(v)[1] for v in raw.split(",")}
            qs = qs.filter(active__in=[s == "active" for s in wanted if s in ("active", "inactive")])
        return page_of(qs.order_by("pk"), params, _to_fhir)

    def export(user):
        for team in _qs(user).order_by("pk"):
            yield _to_fhir(team)

    register(ResourceKind(
        type="CareTeam",
        documentation="Family-doctor teams (1+1+N): members with their team role and institution. "
                      "patient= finds the team of the resident's active contract.",
        read=read, search=search, export=export,
        search_params=[SearchParam("_id", "token", "Logical id"),
                       SearchParam("patient", "reference", "A resident with an active contract with the team"),
                       SearchParam("participant", "reference", "A member (Practitioner)"),
                       SearchParam("status", "token", "active | inactive")],
    ))
