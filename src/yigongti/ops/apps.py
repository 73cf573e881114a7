from django.apps import AppConfig


class OpsConfig(AppConfig):
    """运维 (operations): backup and restore of the platform's database."""

    name = "yigongti.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"
