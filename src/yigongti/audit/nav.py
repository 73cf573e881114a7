from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

NAV = [NavItem(_("审计日志"), "audit:list", frozenset({Role.AUDIT_ADMIN}), order=95)]
