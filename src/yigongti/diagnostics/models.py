"""Shared diagnostic centres (基层检查、上级诊断、结果互认): a township or village clinic requests a reading (ECG,
DR, ultrasound, CT, a laboratory panel) from a county centre; the centre's readers claim it from their
worklist, report from templates, sign and publish; revisions keep the history; lab results carry reference
ranges and flags; critical values (危急值) are phoned with read-back, alerted in the inbox, acknowledged, and
escalated to the requesting institution's duty doctor when nobody acknowledges in time.

The workflow and the numbers are rules/diagnostics.py; every change goes through actions.py."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution
from yigongti.people.models import Resident
from yigongti.rules import diagnostics as rules


class Modality(models.TextChoices):
    ECG = rules.ECG, _("心电")
    DR = rules.DR, _("DR 放射")
    US = rules.US, _("超声")
    CT = rules.CT, _("CT")
    LAB = rules.LAB, _("检验")


class Priority(models.TextChoices):
    STAT = rules.STAT, _("急诊")
    URGENT = rules.URGENT, _("加急")
    ROUTINE = rules.ROUTINE, _("常规")


class Status(models.TextChoices):
    REQUESTED = rules.REQUESTED, _("待阅片")
    CLAIMED = rules.CLAIMED, _("阅片中")
    REPORTED = rules.REPORTED, _("已签名待发布")
    PUBLISHED = rules.PUBLISHED, _("已发布")
    CANCELLED = rules.CANCELLED, _("已撤销")


class SpecimenState(models.TextChoices):
    COLLECTED = rules.COLLECTED, _("已采集")
    RECEIVED = rules.RECEIVED, _("已接收")
    TESTED = rules.TESTED, _("已检测")
    VERIFIED = rules.VERIFIED, _("已审核")


class Centre(models.Model):
    """A shared reading centre: an institution (usually the lead county hospital) and what it reads, with the
    header printed on its A4 reports."""

    institution = models.OneToOneField(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                       related_name="diagnostic_centre")
    name = models.CharField(_("中心名称"), max_length=100)
    modalities = models.JSONField(_("开展项目"), default=list)
    header = models.CharField(_("报告抬头"), max_length=200, blank=True)
    phone = models.CharField(_("中心电话"), max_length=40, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("共享诊断中心")
        verbose_name_plural = _("共享诊断中心")

    def __str__(self) -> str:
        return self.name


class Test(models.Model):
    """An orderable test of the catalog (LOINC-coded), with its result-recognition window."""

    code = models.CharField(_("项目编码"), max_length=24, unique=True)
    name = models.CharField(_("项目名称"), max_length=100)
    modality = models.CharField(_("类别"), max_length=8, choices=Modality.choices)
    loinc = models.CharField(_("LOINC 编码"), max_length=16, blank=True)
    recognition_days = models.IntegerField(_("互认有效期（天）"), null=True, blank=True,
                                           help_text=_("留空按类别默认；负数表示不互认"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("检查检验项目")
        verbose_name_plural = _("检查检验项目")
        ordering = ["modality", "code"]

    def __str__(self) -> str:
        return self.name


class Analyte(models.Model):
    """One result line of a laboratory panel with its reference range and critical limits."""

    test = models.ForeignKey(Test, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="analytes")
    code = models.CharField(_("编码"), max_length=24)
    loinc = models.CharField(_("LOINC 编码"), max_length=16)
    name = models.CharField(_("名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    low = models.DecimalField(_("参考下限"), max_digits=10, decimal_places=3, null=True, blank=True)
    high = models.DecimalField(_("参考上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    critical_low = models.DecimalField(_("危急下限"), max_digits=10, decimal_places=3, null=True, blank=True)
    critical_high = models.DecimalField(_("危急上限"), max_digits=10, decimal_places=3, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("检验指标")
        verbose_name_plural = _("检验指标")
        ordering = ["test", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["test", "code"], name="diag_analyte_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    @property
    def range_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low.normalize():f}–{self.high.normalize():f}"
        if self.high is not None:
            return f"≤{self.high.normalize():f}"
        if self.low is not None:
            return f"≥{self.low.normalize():f}"
        return ""


class Template(models.Model):
    """A report template (报告模板) per modality: the reader starts from it and edits."""

    modality = models.CharField(_("类别"), max_length=8, choices=Modality.choices)
    name = models.CharField(_("模板名称"), max_length=60)
    findings = models.TextField(_("检查所见"), blank=True)
    impression = models.TextField(_("诊断意见"), blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")
        ordering = ["modality", "name"]

    def __str__(self) -> str:
        return self.name


class Request(models.Model):
    number = models.CharField(_("申请单号"), max_length=32, unique=True, null=True, blank=True)
    resident = models.ForeignKey(Resident, verbose_name=_("患者"), on_delete=models.PROTECT,
                                 related_name="diagnostic_requests")
    test = models.ForeignKey(Test, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="requests")
    modality = models.CharField(_("类别"), max_length=8, choices=Modality.choices)
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.ROUTINE)
    clinical_info = models.TextField(_("临床资料"), blank=True)
    requesting_institution = models.ForeignKey(Institution, verbose_name=_("申请机构"), on_delete=models.PROTECT,
                                               related_name="diagnostic_requests_sent")
    requesting_doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请医生"), null=True,
                                          on_delete=models.PROTECT, related_name="diagnostic_requests")
    centre = models.ForeignKey(Centre, verbose_name=_("诊断中心"), on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("诊断医生"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="diagnostic_readings")
    # Result recognition (结果互认): the earlier result shown when the request was made, and the reason to go on.
    earlier_result = models.ForeignKey("self", verbose_name=_("可互认的既往结果"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    repeat_reason = models.CharField(_("重复检查理由"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查检验申请")
        verbose_name_plural = _("检查检验申请")
        indexes = [
            models.Index(fields=["centre", "modality", "status", "priority", "requested_at"],
                         name="diag_worklist_idx"),
            models.Index(fields=["resident", "test", "published_at"], name="diag_recognition_idx"),
            models.Index(fields=["requesting_institution", "status"], name="diag_from_status_idx"),
            models.Index(fields=["published_at"], name="diag_published_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class StudyKind(models.TextChoices):
    DICOM = "dicom", _("DICOM 影像")
    PDF = "pdf", _("PDF")
    IMAGE = "image", _("图片")


class StudyFile(models.Model):
    """One file of the study: a DICOM instance (its UIDs parsed with pydicom), or for an ECG a PDF or an image.
    ``storage`` names the backend that keeps the bytes (storage.py), ``key`` where."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=8, choices=StudyKind.choices)
    storage = models.CharField(_("存储"), max_length=16, default="local")
    key = models.CharField(_("存储位置"), max_length=200)
    filename = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    study_uid = models.CharField(_("检查 UID"), max_length=64, blank=True, db_index=True)
    series_uid = models.CharField(max_length=64, blank=True)
    instance_uid = models.CharField(max_length=64, blank=True)
    meta = models.JSONField(_("影像信息"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查文件")
        verbose_name_plural = _("检查文件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class Specimen(models.Model):
    """A laboratory specimen with its barcode label, moving collected → received → tested → verified."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="specimen")
    barcode = models.CharField(_("条码"), max_length=32, unique=True)
    kind = models.CharField(_("标本类型"), max_length=20, default="静脉血")
    state = models.CharField(_("状态"), max_length=10, choices=SpecimenState.choices, default=SpecimenState.COLLECTED)
    collected_at = models.DateTimeField(_("采集时间"))
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    tested_at = models.DateTimeField(_("检测时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("检验标本")
        verbose_name_plural = _("检验标本")

    def __str__(self) -> str:
        return self.barcode


class BarcodeSequence(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="diag_barcode_seq_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id}/{self.year}: {self.last}"


class Report(models.Model):
    """One revision of a request's report. A revision is never changed once signed; a correction is a new
    revision with its reason, and the earlier ones stay in the history."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="reports")
    revision = models.PositiveSmallIntegerField(_("修订号"), default=1)
    findings = models.TextField(_("检查所见"), blank=True)
    impression = models.TextField(_("诊断意见"), blank=True)
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revision_reason = models.CharField(_("修订原因"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告医生"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签名时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("诊断报告")
        verbose_name_plural = _("诊断报告")
        ordering = ["request", "revision"]
        constraints = [models.UniqueConstraint(fields=["request", "revision"], name="diag_report_revision_unique")]

    def __str__(self) -> str:
        return f"{self.request} r{self.revision}"


class Result(models.Model):
    """A laboratory result line of a report revision, flagged against the analyte's ranges at the time."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("结果"), max_digits=12, decimal_places=3)
    flag = models.CharField(_("提示"), max_length=2, blank=True)
    range_text = models.CharField(_("参考范围"), max_length=40, blank=True)

    class Meta:
        ordering = ["report", "analyte__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "analyte"], name="diag_result_unique")]

    def __str__(self) -> str:
        return f"{self.analyte.name} {self.value} {self.flag}"


class CriticalValue(models.Model):
    """危急值: marked by the reader (or raised by a lab result flagged LL/HH); phoned to the requesting doctor
    with read-back; an inbox alert that must be acknowledged; escalated to the duty doctor once when it is
    not acknowledged in time. Each step keeps who and when."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="critical_values")
    description = models.CharField(_("危急值内容"), max_length=200)
    source = models.CharField(_("来源"), max_length=8, choices=[("reader", _("诊断医生")), ("lab", _("检验结果"))],
                              default="reader")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("发现时间"))
    phoned_at = models.DateTimeField(_("电话通知时间"), null=True, blank=True)
    phoned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    phoned_to = models.CharField(_("接听人"), max_length=40, blank=True)
    read_back = models.CharField(_("复述内容"), max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("危急值")
        verbose_name_plural = _("危急值")
        indexes = [models.Index(fields=["acknowledged_at", "escalated_at", "marked_at"], name="diag_critical_open_idx")]

    def __str__(self) -> str:
        return self.description


class DutyShift(models.Model):
    """The duty roster (值班表) of an institution: who is on duty when; critical values nobody acknowledged
    escalate to the doctor on duty at the requesting institution."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.CASCADE,
                                    related_name="duty_shifts")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("值班医生"), on_delete=models.CASCADE,
                               related_name="duty_shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班表")
        ordering = ["institution", "starts_at"]
        indexes = [models.Index(fields=["institution", "starts_at", "ends_at"], name="diag_duty_idx")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="diag_duty_order")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.doctor_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Recognition(models.Model):
    """结果互认 decisions: the requesting doctor was shown an earlier result within its window and either
    used it (an avoided repeat) or went ahead with a reason (the request it led to)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    test = models.ForeignKey(Test, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    earlier_result = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="recognitions")
    avoided = models.BooleanField(_("采用既往结果"))
    repeat_request = models.ForeignKey(Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("结果互认")
        verbose_name_plural = _("结果互认")
        indexes = [models.Index(fields=["decided_at"], name="diag_recognition_day_idx")]

    def __str__(self) -> str:
        return f"{self.test_id} {self.avoided}"
