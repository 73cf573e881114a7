from django.apps import AppConfig


class WebConfig(AppConfig):
    """界面 (UI frame)"""

    name = "yigongti.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
