from django.apps import AppConfig


class AuditConfig(AppConfig):
    """审计日志 (audit log)"""

    name = "yigongti.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
