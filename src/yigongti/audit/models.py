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
    # Tamper evidence (issue 16, audit/chain.py): a hash chain per institution per day.
    chain_key = models.CharField(max_length=32, blank=True, default="")
    chain_seq = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    entry_hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
                   models.Index(fields=["user", "at"], name="audit_user_at_idx")]
        constraints = [models.UniqueConstraint(fields=["chain_key", "chain_seq"], name="audit_chain_seq_unique",
                                               condition=models.Q(chain_seq__isnull=False))]

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


class AuditChainHead(models.Model):
    """The end of one chain (institution × local day): its length and last hash. Writers of the chain lock
    this row (select_for_update; SQLite's IMMEDIATE transactions serialise writers anyway)."""

    chain_key = models.CharField(max_length=32, primary_key=True)
    institution_id = models.BigIntegerField(null=True, blank=True)
    day = models.DateField(db_index=True)
    seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True, default="")
    algorithm = models.CharField(max_length=10, default="sha256")

    def __str__(self) -> str:
        return f"{self.chain_key} #{self.seq}"


class AuditSeal(models.Model):
    """A closed day's chain end, sealed with an HMAC whose key lives outside the database (key provider,
    purpose "audit"): an attacker with only database access cannot re-seal an edited or truncated chain."""

    chain_key = models.CharField(max_length=32, unique=True)
    institution_id = models.BigIntegerField(null=True, blank=True)
    day = models.DateField(db_index=True)
    last_seq = models.PositiveIntegerField()
    last_hash = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=10)
    key_id = models.CharField(max_length=20)
    mac = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.chain_key} sealed #{self.last_seq}"


class ExportApproval(models.Model):
    """An export of personal data above the row threshold waits for a second person's approval (issue 16)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        USED = "used", _("已使用")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("导出类型"), max_length=60)
    rows = models.PositiveIntegerField(_("行数"))
    purpose = models.CharField(_("用途"), max_length=200)
    path = models.CharField(_("导出地址"), max_length=500, blank=True, default="")  # the page export, to resume
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} × {self.rows} ({self.status})"


class PrivacyRequest(models.Model):
    """A resident's request under 个人信息保护法 (arts. 44–47): see, copy, correct, restrict or delete their
    record. Tracked with a deadline; what was disclosed is recorded when it is answered."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("查阅复制")
        CORRECT = "correct", _("更正补充")
        RESTRICT = "restrict", _("限制处理")
        DELETE = "delete", _("删除")

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        DONE = "done", _("已答复")
        REFUSED = "refused", _("不予办理")

    resident_id = models.BigIntegerField(_("居民编号"), db_index=True)
    institution = models.ForeignKey("org.Institution", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("请求类型"), max_length=10, choices=Kind.choices)
    details = models.CharField(_("请求内容"), max_length=500, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(_("答复期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复"), blank=True)
    disclosed = models.JSONField(_("已提供的内容"), default=list, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.resident_id} ({self.status})"
