"""Password rules beyond Django's validators (等保 三级 身份鉴别): character classes and no reuse."""
from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^A-Za-z0-9]"))


class ComplexityValidator:
    """At least three of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if sum(1 for c in CLASSES if c.search(password)) < self.min_classes:
            raise ValidationError(_("密码须至少包含小写字母、大写字母、数字、符号中的三类。"), code="password_too_simple")

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的三类。")


def history_count() -> int:
    return getattr(settings, "YIGONGTI_PASSWORD_HISTORY", 5)


class HistoryValidator:
    """The new password may not equal the current one or any of the last N (settings.YIGONGTI_PASSWORD_HISTORY)."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        from yigongti.org.models import PasswordHistory

        n = history_count()
        hashes = list(PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
                      .values_list("password", flat=True)[:n])
        from django.contrib.auth import get_user_model

        current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.insert(0, current)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(_("不能使用最近 %(n)d 次用过的密码。") % {"n": n}, code="password_reused")

    def get_help_text(self):
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": history_count()}


def remember_password(user) -> None:
    """Keep the user's current hash in the history (call before setting a new one) and trim to N."""
    from django.utils import timezone

    from yigongti.org.models import PasswordHistory

    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
                .values_list("pk", flat=True)[: history_count()])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()
    user.password_changed_at = timezone.now()
