from django.apps import AppConfig


class DemoConfig(AppConfig):
    """演示数据 (demo county generator)"""

    name = "yigongti.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
