from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

EXPERT_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.COUNTY_SPECIALIST,
                          Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU,
                          Role.INSTITUTION_ADMIN, Role.PUBLIC_HEALTH})

NAV = [
    NavItem(_("专家下沉"), "experts:index", EXPERT_ROLES, order=35),
]
