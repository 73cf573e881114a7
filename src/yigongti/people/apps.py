from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """居民健康档案 (resident record)"""

    name = "yigongti.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"
