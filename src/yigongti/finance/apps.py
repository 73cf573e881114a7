from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """医保基金与绩效"""

    name = "yigongti.finance"
    label = "finance"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "医保基金与绩效"

    def ready(self) -> None:
        from .importing import register_kinds
        from .workpoints import register_builtin_sources

        register_kinds()
        register_builtin_sources()
