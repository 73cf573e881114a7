"""Scoped reads of teams and contracts, and the functions other apps call (keep these names):

    team_resident_ids(team_id)          -> QuerySet of resident ids with an active contract with the team
    team_for_residents(resident_ids)    -> {resident_id: {"team_id", "team_name", "doctor_id"}} (active)
    teams_of_user(user)                 -> QuerySet[Team] the user is a member or leader of
    inbox_group_for_resident(rid)       -> ("team", team_id) | None (address a to-do to the resident's team)
    team_members(team_id)               -> QuerySet[User] (the tasks group resolver "team")
    contract_relationship(user)         -> the care-relationship provider (team members see their residents)
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from yigongti.audit.log import record_read
from yigongti.org.access import OVERSIGHT_ROLES, institution_ids, roles_by_institution
from yigongti.org.scoping import access_reason, area_scope
from yigongti.people.queries import visible_residents

from .models import Contract, ContractStatus, Package, Team, TeamMember

# --- for other apps ---------------------------------------------------------------------------------


def team_resident_ids(team_id) -> QuerySet:
    return Contract.objects.filter(team_id=team_id, status=ContractStatus.ACTIVE).values_list("resident_id", flat=True)


def team_for_residents(resident_ids) -> dict[int, dict]:
    rows = (Contract.objects.filter(resident_id__in=resident_ids, status=ContractStatus.ACTIVE)
            .values_list("resident_id", "team_id", "team__name", "doctor_id"))
    return {rid: {"team_id": tid, "team_name": name, "doctor_id": did} for rid, tid, name, did in rows}


def teams_of_user(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.filter(Q(leader=user) | Q(members__user=user), active=True).distinct()


def inbox_group_for_resident(resident_id) -> tuple[str, int] | None:
    found = team_for_residents([resident_id]).get(resident_id)
    return ("team", found["team_id"]) if found else None


def team_members(team_id) -> QuerySet:
    User = get_user_model()
    return User.objects.filter(Q(fd_memberships__team_id=team_id) | Q(fd_led_teams__pk=team_id), is_active=True).distinct()


def contract_relationship(user) -> QuerySet:
    """Care relationship: members of a team see the residents with an active contract with it."""
    return (Contract.objects.filter(status=ContractStatus.ACTIVE)
            .filter(Q(team__members__user=user) | Q(team__leader=user)).values("resident_id"))


# --- scoped reads -------------------------------------------------------------------------------------


def is_oversight(user) -> bool:
    return any(roles & OVERSIGHT_ROLES for roles in roles_by_institution(user).values())


def visible_teams(user) -> QuerySet:
    """Oversight: every team; others: teams of their institutions, teams serving an area in their scope,
    teams they belong to."""
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    if is_oversight(user):
        return Team.objects.all()
    scope = area_scope(user)
    cond = Q(institution_id__in=institution_ids(user)) | Q(pk__in=teams_of_user(user).values("pk"))
    if scope.area_ids:
        cond |= Q(areas__in=sorted(scope.area_ids))
    return Team.objects.filter(cond).distinct()


def get_team_for(user, pk) -> Team:
    try:
        return visible_teams(user).select_related("institution", "leader").get(pk=int(pk))
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_contracts(user) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Contract.objects.none()
    return Contract.objects.filter(resident__in=visible_residents(user).values("pk"))


def get_contract_for(user, pk, detail: str = "") -> Contract:
    try:
        c = (visible_contracts(user).select_related("resident", "resident__area", "team", "doctor", "institution")
             .prefetch_related("packages__items").get(pk=int(pk)))
    except (Contract.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    why = access_reason(user, resident_id=c.resident_id, resident_area_id=c.resident.area_id) or "oversight"
    ids = institution_ids(user)
    record_read(user, subject=c, institution_id=ids[0] if ids else None, reason=why, detail=detail)
    return c


def packages() -> QuerySet:
    return Package.objects.prefetch_related("items")


def active_contract_of(resident_id) -> Contract | None:
    return (Contract.objects.filter(resident_id=resident_id, status=ContractStatus.ACTIVE)
            .select_related("team", "doctor").first())


def members_of(team: Team) -> QuerySet:
    return TeamMember.objects.filter(team=team).select_related("user", "institution").order_by("role", "pk")
