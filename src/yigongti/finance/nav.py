from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

FINANCE_NAV_ROLES = frozenset({Role.FINANCE_DIRECTOR, Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU, Role.INSTITUTION_ADMIN,
                               Role.DEPARTMENT_HEAD, Role.TEAM_LEADER})

NAV = [
    NavItem(_("医保与绩效"), "finance:index", FINANCE_NAV_ROLES, order=70),
]
