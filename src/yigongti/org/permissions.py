"""Who may change the consortium's structure. Every org action asks these before it writes.

``actor=None`` is the system itself (the demo generator, management commands); views always pass the
request's user."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .access import has_role, roles_by_institution
from .models import Institution, Role

STRUCTURE_ROLES = (Role.SYSTEM_ADMIN, Role.CONSORTIUM_OFFICE)
DENOMINATOR_ROLES = (Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU, Role.SYSTEM_ADMIN)
# 三员分立: the system, security and audit administrators are three different people.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def can_edit_structure(user) -> bool:
    return user is None or has_role(user, *STRUCTURE_ROLES)


def can_manage_institution(user, institution: Institution) -> bool:
    """Consortium office and system admin: any institution. An institution admin: their own institution
    and the institutions it runs (a township centre's admin manages its village clinics)."""
    if can_edit_structure(user):
        return True
    admin_of = {i for i, roles in roles_by_institution(user).items() if Role.INSTITUTION_ADMIN in roles}
    return institution.pk in admin_of or (institution.parent_id is not None and institution.parent_id in admin_of)


def can_edit_denominators(user) -> bool:
    return user is None or has_role(user, *DENOMINATOR_ROLES)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
