from django.utils.translation import gettext_lazy as _

from yigongti.web.nav import NavItem

NAV = [NavItem(_("待办"), "tasks:list", order=5)]
