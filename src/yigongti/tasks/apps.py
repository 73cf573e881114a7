from django.apps import AppConfig


class TasksConfig(AppConfig):
    """待办 (inbox)"""

    name = "yigongti.tasks"
    label = "tasks"
    default_auto_field = "django.db.models.BigAutoField"
