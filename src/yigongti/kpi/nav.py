from django.utils.translation import gettext_lazy as _

from yigongti.org.access import ADMINISTRATOR_ROLES, OVERSIGHT_ROLES
from yigongti.org.models import Role
from yigongti.web.nav import NavItem

_STAFF = frozenset(r for r in Role.values if r not in ADMINISTRATOR_ROLES)

NAV = [
    NavItem(_("指标看板"), "kpi:dashboard", roles=frozenset(OVERSIGHT_ROLES), order=60),
    NavItem(_("建设成效报告"), "kpi:report", roles=_STAFF, order=61),
    NavItem(_("指标目录"), "kpi:catalog", roles=_STAFF, order=62),
    NavItem(_("统计期关账"), "kpi:periods", roles=frozenset(OVERSIGHT_ROLES), order=63),
]
