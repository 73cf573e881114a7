from django.apps import AppConfig


class JobsConfig(AppConfig):
    """后台任务 (job queue)"""

    name = "yigongti.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
