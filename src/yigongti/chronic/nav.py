from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

CHRONIC_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.PUBLIC_HEALTH,
                           Role.TEAM_LEADER, Role.MENTAL_HEALTH, Role.COUNTY_SPECIALIST, Role.CONSORTIUM_OFFICE,
                           Role.HEALTH_BUREAU, Role.INSTITUTION_ADMIN})

NAV = [
    NavItem(_("慢病随访"), "chronic:due", CHRONIC_ROLES, order=20),
    NavItem(_("筛查提示"), "chronic:screening", CHRONIC_ROLES, order=21),
    NavItem(_("健康教育"), "chronic:education", CHRONIC_ROLES, order=22),
]
