from django.apps import AppConfig


class WebConfig(AppConfig):
    """界面 (UI frame)"""

    name = "yigongti.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Login history (issue 16) from Django's and axes' auth signals: the integration points these
        # libraries offer (not domain events, so not in events.py).
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from . import accounts

        user_logged_in.connect(accounts.on_logged_in, dispatch_uid="yg_login_history_in")
        user_logged_out.connect(accounts.on_logged_out, dispatch_uid="yg_login_history_out")
        user_login_failed.connect(accounts.on_login_failed, dispatch_uid="yg_login_history_failed")
        user_locked_out.connect(accounts.on_locked_out, dispatch_uid="yg_login_history_locked")
