from django.apps import AppConfig


class OrgConfig(AppConfig):
    """机构与人员 (consortium structure)"""

    name = "yigongti.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"
