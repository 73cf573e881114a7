from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

FAMILY_DOCTOR_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.PUBLIC_HEALTH,
                                 Role.COUNTY_SPECIALIST, Role.TEAM_LEADER, Role.INSTITUTION_ADMIN,
                                 Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU})

NAV = [
    NavItem(_("家庭医生签约"), "familydoctor:teams", FAMILY_DOCTOR_ROLES, order=25),
]
