"""The inbox: to-dos addressed to a user, a role at an institution, or a group another app resolves."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution, Role


class TaskState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class Task(models.Model):
    title = models.CharField(_("事项"), max_length=200)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指定人员"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="tasks")
    role = models.CharField(_("指定角色"), max_length=24, choices=Role.choices, blank=True)
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="tasks")
    group_kind = models.CharField(_("群组类型"), max_length=40, blank=True)
    group_id = models.BigIntegerField(_("群组编号"), null=True, blank=True)
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True, db_index=True)
    source_type = models.CharField(_("来源类型"), max_length=60, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=40, blank=True)
    source_display = models.CharField(_("来源"), max_length=120, blank=True)
    source_url = models.CharField(_("链接"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN,
                             db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办")
        verbose_name_plural = _("待办")
        indexes = [models.Index(fields=["institution", "role", "state"], name="task_role_idx"),
                   models.Index(fields=["group_kind", "group_id", "state"], name="task_group_idx"),
                   models.Index(fields=["assignee", "state"], name="task_assignee_idx")]
        constraints = [models.CheckConstraint(
            condition=Q(assignee__isnull=False) | (Q(institution__isnull=False) & ~Q(role=""))
            | (~Q(group_kind="") & Q(group_id__isnull=False)), name="task_has_an_addressee")]

    def __str__(self) -> str:
        return self.title
