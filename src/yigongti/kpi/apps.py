from django.apps import AppConfig


class KpiConfig(AppConfig):
    """指标 (indicators)"""

    name = "yigongti.kpi"
    label = "kpi"
    default_auto_field = "django.db.models.BigAutoField"
