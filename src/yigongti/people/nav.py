from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

CLINICAL = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE, Role.PUBLIC_HEALTH,
                      Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.CONSORTIUM_OFFICE,
                      Role.HEALTH_BUREAU, Role.MENTAL_HEALTH, Role.HIV_CARE, Role.INSTITUTION_ADMIN})

NAV = [
    NavItem(_("居民档案"), "people:list", CLINICAL, order=10),
    NavItem(_("新建档案"), "people:new", frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE,
                                                  Role.PUBLIC_HEALTH, Role.TEAM_LEADER}), order=11),
    NavItem(_("批量导入"), "people:import_upload", frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.NURSE,
                                                            Role.PUBLIC_HEALTH, Role.INSTITUTION_ADMIN,
                                                            Role.TEAM_LEADER, Role.COUNTY_SPECIALIST}), order=12),
]
