from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

PHARMACY_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                            Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.INSTITUTION_ADMIN, Role.CONSORTIUM_OFFICE,
                            Role.HEALTH_BUREAU, Role.MENTAL_HEALTH})

NAV = [
    NavItem(_("药械统一"), "pharmacy:home", PHARMACY_ROLES, order=45),
]
