"""Who may act for which institution, by role (design: Access).

The resident-scoping functions and the care-relationship provider registry live in
``org/scoping.py``; this module answers the role questions every view and action asks.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import Membership, Role, StaffRole

# Roles that see nothing of residents: the three separated administrators (三员分立).
ADMINISTRATOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that oversee the whole consortium (aggregates everywhere, records by drill-down, audited).
OVERSIGHT_ROLES = frozenset({Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU})


def active_memberships(user, on: dt.date | None = None):
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    on = on or timezone.localdate()
    return (
        Membership.objects.filter(user=user, institution__active=True)
        .exclude(start_date__gt=on)
        .exclude(end_date__lt=on)
    )


def roles_by_institution(user) -> dict[int, set[str]]:
    """{institution_id: {role, …}} for the user's active memberships, cached on the user object."""
    cached = getattr(user, "_yg_roles_by_institution", None)
    if cached is not None:
        return cached
    result: dict[int, set[str]] = {}
    rows = StaffRole.objects.filter(membership__in=active_memberships(user)).values_list(
        "membership__institution_id", "role"
    )
    for institution_id, role in rows:
        result.setdefault(institution_id, set()).add(role)
    for institution_id in active_memberships(user).values_list("institution_id", flat=True):
        result.setdefault(institution_id, set())
    if getattr(user, "is_authenticated", False):
        user._yg_roles_by_institution = result
    return result


def user_roles(user) -> set[str]:
    return set().union(*roles_by_institution(user).values()) if roles_by_institution(user) else set()


def has_role(user, *roles: str, institution_id: int | None = None) -> bool:
    by_inst = roles_by_institution(user)
    if institution_id is not None:
        return bool(by_inst.get(institution_id, set()) & set(roles))
    return any(r in held for held in by_inst.values() for r in roles)


def institution_ids(user) -> list[int]:
    return sorted(roles_by_institution(user))


def can_act_for(user, institution_id: int | None, roles: Iterable[str] | None = None) -> bool:
    """May ``user`` write data in the name of ``institution_id``? Only as a member of it (with one of
    ``roles`` when given); administrators never act for an institution in clinical data."""
    if institution_id is None:
        return False
    held = roles_by_institution(user).get(institution_id)
    if held is None:
        return False
    if roles is not None:
        return bool(held & set(roles))
    return not held or not held <= ADMINISTRATOR_ROLES


def require_can_act_for(user, institution_id: int | None, roles: Iterable[str] | None = None) -> None:
    if not can_act_for(user, institution_id, roles):
        raise PermissionDenied("not a member of that institution")


def role_required(*roles: str):
    """View decorator: 403 unless the user holds one of ``roles`` somewhere."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles  # read by the isolation suite
        return wrapper

    return decorate
