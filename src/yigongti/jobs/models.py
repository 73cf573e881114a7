"""The database-backed job queue (design: "How one app's action reaches another").

A job row is claimed with a conditional ``UPDATE … WHERE claimed_at IS NULL`` whose row count is checked,
so two workers never run the same job; a failed job is released with an exponential back-off.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    RETRYING = "retrying", _("等待重试")
    FAILED = "failed", _("失败")


class Job(models.Model):
    kind = models.CharField(_("类型"), max_length=64)
    payload = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    run_after = models.DateTimeField(_("计划时间"))
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    max_attempts = models.PositiveIntegerField(_("最多尝试"), default=5)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claimed_by = models.CharField(_("执行者"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    progress = models.JSONField(_("进度"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "run_after"], name="job_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
