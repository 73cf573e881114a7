"""What a user may see of residents (design: Access): the union of

1. the area subtree of the service areas of their institution(s), for the clinical and public-health roles
   they hold there (a county hospital serves no area: its specialists see residents by relationship);
   the consortium office and the health bureau oversee the whole county;
2. care relationships, from providers each service app registers (encounter at my institution, referral,
   booking, reading, membership of the resident's team);
3. break-glass: time-limited, with a stated reason, audited.

Records tagged sensitive (severe mental disorders, HIV) need the programme role as well. The three
separated administrators see no resident. Each app's ``queries.py`` builds its scoped querysets from these
functions; nothing else decides visibility.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import OVERSIGHT_ROLES, roles_by_institution
from .models import Area, Institution, InstitutionKind, Role, Tier

# Roles that give sight of the residents living in the institution's service areas.
AREA_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.PUBLIC_HEALTH,
                        Role.TEAM_LEADER, Role.INSTITUTION_ADMIN, Role.MENTAL_HEALTH, Role.HIV_CARE,
                        Role.DEPARTMENT_HEAD, Role.COUNTY_SPECIALIST})
# Design "Access": a county hospital's area is not "the whole county" for clinical records, whatever its
# service areas say; its staff see residents by care relationship (encounter, referral, consultation).
HOSPITAL_KINDS = frozenset({InstitutionKind.GENERAL_HOSPITAL, InstitutionKind.TCM_HOSPITAL,
                            InstitutionKind.MCH_HOSPITAL, InstitutionKind.EMERGENCY_CENTRE})
SENSITIVE_ROLES = {"mental": Role.MENTAL_HEALTH, "hiv": Role.HIV_CARE}

RelationshipProvider = Callable[[object], QuerySet]
_providers: dict[str, RelationshipProvider] = {}


@dataclass(frozen=True)
class AreaScope:
    all: bool
    area_ids: frozenset[int]

    def contains(self, area_id: int | None) -> bool:
        return self.all or (area_id is not None and area_id in self.area_ids)


def area_scope(user) -> AreaScope:
    cached = getattr(user, "_yg_area_scope", None)
    if cached is not None:
        return cached
    by_inst = roles_by_institution(user)
    if any(roles & OVERSIGHT_ROLES for roles in by_inst.values()):
        scope = AreaScope(True, frozenset())
    else:
        inst_ids = list(Institution.objects.filter(pk__in=[i for i, roles in by_inst.items() if roles & AREA_ROLES])
                        .exclude(tier=Tier.COUNTY, kind__in=HOSPITAL_KINDS).values_list("pk", flat=True))
        paths = list(Area.objects.filter(served_by__in=inst_ids).values_list("path", flat=True).distinct())
        ids: set[int] = set()
        if paths:
            from django.db.models import Q

            q = Q()
            for path in paths:
                q |= Q(path__startswith=path)
            ids = set(Area.objects.filter(q).values_list("id", flat=True))
        scope = AreaScope(False, frozenset(ids))
    if getattr(user, "is_authenticated", False):
        user._yg_area_scope = scope
    return scope


def register_relationship_provider(name: str, provider: RelationshipProvider) -> None:
    """``provider(user)`` returns a one-column queryset of resident ids the user has a care relationship
    with. Service apps call this in their ``AppConfig.ready()``."""
    _providers[name] = provider


def relationship_providers() -> dict[str, RelationshipProvider]:
    return dict(_providers)


def active_break_glass_resident_ids(user, now: dt.datetime | None = None) -> QuerySet:
    from yigongti.audit.models import BreakGlassGrant

    now = now or timezone.now()
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=now).values("resident_id")


def related_resident_querysets(user) -> list[QuerySet]:
    if not getattr(user, "is_authenticated", False):
        return []
    querysets = [provider(user) for provider in _providers.values()]
    querysets.append(active_break_glass_resident_ids(user))
    return querysets


def may_see_sensitive(user, tag: str) -> bool:
    role = SENSITIVE_ROLES.get(tag)
    if role is None:
        return True
    return any(role in roles for roles in roles_by_institution(user).values())


def access_reason(user, *, resident_id: int, resident_area_id: int | None) -> str | None:
    """Why ``user`` may see this resident, for the audit entry of a read; None when they may not."""
    if area_scope(user).contains(resident_area_id):
        return "area"
    for name, provider in _providers.items():
        if provider(user).filter(resident_id=resident_id).exists():
            return f"relationship:{name}"
    if active_break_glass_resident_ids(user).filter(resident_id=resident_id).exists():
        return "break_glass"
    return None


@transaction.atomic
def grant_break_glass(user, *, resident_id: int, institution_id: int | None, reason: str):
    """Emergency access to one record for settings.BREAK_GLASS_MINUTES, with a stated reason; the grant
    is itself an audit entry. Administrators (三员) never get break-glass access to clinical records."""
    from yigongti.audit.log import _write
    from yigongti.audit.models import Action, BreakGlassGrant

    from .access import ADMINISTRATOR_ROLES

    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请说明紧急访问的理由（至少4个字）")})
    held = set().union(*roles_by_institution(user).values()) if roles_by_institution(user) else set()
    if not held or held <= ADMINISTRATOR_ROLES:
        raise ValidationError({"reason": _("您的角色不能使用紧急授权")})
    if institution_id is not None and institution_id not in roles_by_institution(user):
        raise ValidationError({"institution": _("您不属于该机构")})
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user, institution_id=institution_id, resident_id=resident_id, reason=reason, created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    _write(user, action=Action.BREAK_GLASS, object_type="people.Resident", object_id=str(resident_id),
           resident_id=resident_id, reason=f"break_glass: {reason}", institution_id=institution_id,
           changes={"expires_at": grant.expires_at.isoformat()})
    return grant
