from django.apps import AppConfig


class ApiConfig(AppConfig):
    """接口 (REST API)"""

    name = "yigongti.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
