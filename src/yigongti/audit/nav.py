from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Role
from yigongti.web.nav import NavItem

# Who handles residents' requests: everyone who works with records (not the three administrators).
HANDLERS = frozenset(Role.values) - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}

NAV = [
    NavItem(_("审计日志"), "audit:list", frozenset({Role.AUDIT_ADMIN}), order=95),
    NavItem(_("导出审批"), "audit:approvals", frozenset({Role.SECURITY_ADMIN, Role.CONSORTIUM_OFFICE}), order=96),
    NavItem(_("个人信息权利请求"), "audit:privacy_list", HANDLERS, order=90),
]
