from django.utils.translation import gettext_lazy as _

from yigongti.web.nav import NavItem

from .models import Role

NAV = [
    NavItem(_("机构与人员"), "org:tree", order=80),
    NavItem(_("人口数"), "org:denominators", frozenset({Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU,
                                                      Role.SYSTEM_ADMIN}), order=85),
]
