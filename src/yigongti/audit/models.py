"""The audit log: who read or changed what, when, from where and why they could. Append-only: nothing in
the application edits or deletes an entry (model guards here, database triggers in migration 0002)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")


class Action(models.TextChoices):
    READ = "read", _("查看")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    EXPORT = "export", _("导出")
    BREAK_GLASS = "break_glass", _("紧急授权")
    MERGE = "merge", _("合并")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    institution = models.ForeignKey("org.Institution", verbose_name=_("机构"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_display = models.CharField(_("对象"), max_length=120, blank=True)
    resident_id = models.BigIntegerField(_("居民编号"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    reason = models.CharField(_("访问依据"), max_length=200, blank=True)
    client_address = models.CharField(_("客户端地址"), max_length=45, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
                   models.Index(fields=["user", "at"], name="audit_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")


class BreakGlassGrant(models.Model):
    """Time-limited emergency access to one resident's record, with a stated reason (design: Access)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    institution = models.ForeignKey("org.Institution", null=True, on_delete=models.PROTECT, related_name="+")
    resident_id = models.BigIntegerField(_("居民编号"), db_index=True)
    reason = models.CharField(_("理由"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效至"), db_index=True)

    class Meta:
        verbose_name = _("紧急授权")
        verbose_name_plural = _("紧急授权")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.resident_id} until {self.expires_at:%H:%M}"
