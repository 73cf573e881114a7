from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

DIAGNOSTICS_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                               Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU,
                               Role.MENTAL_HEALTH, Role.INSTITUTION_ADMIN})

NAV = [
    NavItem(_("检查检验"), "diagnostics:list", DIAGNOSTICS_ROLES, order=35),
]
