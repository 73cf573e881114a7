"""Two-way referral (双向转诊): the referral form (seed 000's 分级诊疗转诊意见书 with its 存根, 转出单 and 回转单
parts), results attached from the shared record, out-of-consortium filings (转外就医备案), and the editable
catalogs and tables behind them (first-diagnosis catalogs per hospital grade, the down-referral catalog,
deductibles per scheme and grade, each institution's approval setting).

The workflow states and transitions are rules/referral.py; "expired" is never stored: it is derived from
``valid_until`` at query time. Reserved beds are org.ReservedBed rows (held with a conditional UPDATE)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Department, Institution, ReservedBed
from yigongti.people.models import Resident
from yigongti.rules import referral as rules


class Status(models.TextChoices):
    DRAFT = rules.DRAFT, _("草稿")
    PENDING_APPROVAL = rules.PENDING_APPROVAL, _("待科主任审核")
    SUBMITTED = rules.SUBMITTED, _("待接收")
    ACCEPTED = rules.ACCEPTED, _("已接收")
    RECEIVED = rules.RECEIVED, _("已接诊")
    COMPLETED = rules.COMPLETED, _("已回转")
    REJECTED = rules.REJECTED, _("已拒绝")
    CANCELLED = rules.CANCELLED, _("已撤销")


EXPIRED_LABEL = _("已过期")


class Direction(models.TextChoices):
    UP = rules.UP, _("上转")
    DOWN = rules.DOWN, _("下转")
    LATERAL = rules.LATERAL, _("平级转诊")


class ReferralType(models.TextChoices):
    OUTPATIENT = "outpatient", _("门诊")
    INPATIENT = "inpatient", _("住院")


class Reason(models.TextChoices):
    """转诊原因 (seed 000: "不能确诊的疑难杂症病例"; down: recovery, stable chronic disease)."""

    DIFFICULT = "difficult", _("不能确诊的疑难杂症病例")
    CRITICAL = "critical", _("急危重症，超出本机构诊疗能力")
    EXAMINATION = "examination", _("需要进一步检查")
    SPECIALIST = "specialist", _("需要专科治疗或手术")
    RECOVERY = "recovery", _("恢复期，转基层康复")
    STABLE_CHRONIC = "stable_chronic", _("慢性病稳定期，转基层管理")
    OTHER = "other", _("其他")


class Referral(models.Model):
    number = models.CharField(_("转诊编号"), max_length=48, unique=True)
    direction = models.CharField(_("转诊方向"), max_length=8, choices=Direction.choices)
    referral_type = models.CharField(_("转诊类型"), max_length=12, choices=ReferralType.choices,
                                     default=ReferralType.OUTPATIENT)
    reason = models.CharField(_("转诊原因"), max_length=20, choices=Reason.choices)
    reason_detail = models.CharField(_("转诊原因说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    resident = models.ForeignKey(Resident, verbose_name=_("患者"), on_delete=models.PROTECT, related_name="referrals")
    insurance_scheme = models.CharField(_("医保类型"), max_length=12, blank=True)
    from_institution = models.ForeignKey(Institution, verbose_name=_("转诊机构"), on_delete=models.PROTECT,
                                         related_name="referrals_sent")
    from_department = models.ForeignKey(Department, verbose_name=_("转诊科室"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="referrals_sent")
    referring_doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("转诊医生"), null=True,
                                         on_delete=models.PROTECT, related_name="referrals_written")
    to_institution = models.ForeignKey(Institution, verbose_name=_("接诊机构"), on_delete=models.PROTECT,
                                       related_name="referrals_received")
    to_department = models.ForeignKey(Department, verbose_name=_("接诊科室"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="referrals_received")
    to_doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接诊医生"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="referrals_assigned")

    # 转诊诊断: Western (ICD-10 from the one catalogue) and TCM.
    primary_diagnosis = models.CharField(_("西医诊断（ICD-10）"), max_length=16)
    other_diagnoses = models.JSONField(_("其他西医诊断"), default=list, blank=True)
    diagnosis_text = models.CharField(_("诊断说明"), max_length=200, blank=True,
                                      help_text=_("如：门诊诊断 手部指伸肌肌腱损伤 确诊"))
    tcm_diagnosis = models.CharField(_("中医诊断"), max_length=200, blank=True)
    # 病情介绍 / 转出单
    condition_summary = models.TextField(_("病情介绍"), blank=True)
    history = models.TextField(_("主要既往史"), blank=True)
    treatment_so_far = models.TextField(_("治疗经过"), blank=True)
    treatment_advice = models.TextField(_("后续治疗意见"), blank=True)
    doctor_opinion = models.CharField(_("主诊医生意见"), max_length=200, blank=True)
    head_opinion = models.CharField(_("科主任意见"), max_length=200, blank=True)
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("科主任"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="referrals_approved")
    # 患者及家属意见
    consent = models.BooleanField(_("患者或家属同意转诊"), default=False)
    consent_by = models.CharField(_("签字人"), max_length=40, blank=True)
    consent_relation = models.CharField(_("与患者关系"), max_length=20, blank=True, help_text=_("本人、配偶、子女…"))
    # First-diagnosis catalog check (004): set at submission.
    questionable = models.BooleanField(_("疑似不合理上转"), default=False)
    catalog_entry = models.CharField(_("命中首诊目录条目"), max_length=16, blank=True)
    justification = models.TextField(_("上转理由"), blank=True,
                                     help_text=_("诊断在本级首诊病种目录内时须说明上转理由"))

    valid_from = models.DateField(_("有效期自"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    appointment_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    bed = models.ForeignKey(ReservedBed, verbose_name=_("预留床位"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="referrals")
    bed_hold_until = models.DateTimeField(_("床位保留至"), null=True, blank=True)
    accept_note = models.CharField(_("接收说明"), max_length=200, blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    # 回转单
    return_diagnosis = models.CharField(_("诊断结果（ICD-10）"), max_length=16, blank=True)
    return_diagnosis_text = models.CharField(_("诊断结果说明"), max_length=200, blank=True)
    inpatient_number = models.CharField(_("住院病案号"), max_length=40, blank=True)
    return_results = models.TextField(_("主要检查结果"), blank=True)
    return_treatment = models.TextField(_("治疗经过"), blank=True)
    return_plan = models.TextField(_("下一步治疗方案及康复建议"), blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    received_at = models.DateTimeField(_("接诊时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("回转时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("拒绝/撤销时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("转诊单")
        verbose_name_plural = _("转诊单")
        indexes = [
            models.Index(fields=["to_institution", "status"], name="referral_to_status_idx"),
            models.Index(fields=["from_institution", "status"], name="referral_from_status_idx"),
            models.Index(fields=["resident", "status"], name="referral_resident_idx"),
            models.Index(fields=["submitted_at"], name="referral_submitted_idx"),
            models.Index(fields=["received_at"], name="referral_received_idx"),
            models.Index(fields=["accepted_at"], name="referral_accepted_idx"),
            models.Index(fields=["closed_at"], name="referral_closed_idx"),
            models.Index(fields=["valid_until"], name="referral_valid_until_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_institution=models.F("to_institution")),
                                   name="referral_not_to_itself"),
        ]

    def __str__(self) -> str:
        return self.number

    def effective_status(self, today) -> str:
        return rules.effective_state(self.status, self.valid_until, today)


class AttachmentKind(models.TextChoices):
    EXAM = "exam", _("健康体检")
    ENCOUNTER = "encounter", _("就诊记录")
    FOLLOWUP = "followup", _("慢病随访")
    MEDICATION = "medication", _("用药")


class Attachment(models.Model):
    """A result from the shared record attached to the form: a copy of what it said then (the record may
    change later; the form shows what the referring doctor sent), with a pointer to the source."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类别"), max_length=12, choices=AttachmentKind.choices)
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    date = models.DateField(_("日期"))
    title = models.CharField(_("项目"), max_length=120)
    summary = models.CharField(_("结果"), max_length=400, blank=True)
    institution_name = models.CharField(_("机构"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("转诊附带结果")
        verbose_name_plural = _("转诊附带结果")
        ordering = ["-date", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "kind", "source_id"],
                                               condition=Q(source_id__isnull=False), name="attachment_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Sequence(models.Model):
    """The last serial of referral numbers per sending institution and year (claimed with an UPDATE)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="referral_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.year}: {self.last}"


class Policy(models.Model):
    """Per-institution referral settings: whether a referral needs the department head's approval before it
    goes out (科主任意见)."""

    institution = models.OneToOneField(Institution, verbose_name=_("机构"), on_delete=models.CASCADE,
                                       related_name="referral_policy")
    requires_head_approval = models.BooleanField(_("转出须科主任审核"), default=False)

    class Meta:
        verbose_name = _("转诊设置")
        verbose_name_plural = _("转诊设置")

    def __str__(self) -> str:
        return str(self.institution)


class CatalogKind(models.TextChoices):
    FIRST_DIAGNOSIS = "first_diagnosis", _("首诊病种目录")
    DOWN_REFERRAL = "down_referral", _("下转病种目录")


class GradeLevel(models.TextChoices):
    NONE = "", _("不分级")
    L1 = "1", _("一级")
    L2 = "2", _("二级")
    L3 = "3", _("三级")


class CatalogEntry(models.Model):
    """One disease of a catalog: an ICD-10 code or a prefix of codes (category "J06", subcategory "J06.9").
    First-diagnosis catalogs are per hospital grade (004: 287 diseases for 二级, 108 for 一级); the
    down-referral catalog is one list."""

    kind = models.CharField(_("目录"), max_length=20, choices=CatalogKind.choices)
    grade_level = models.CharField(_("医院等级"), max_length=1, choices=GradeLevel.choices, blank=True, default="")
    code = models.CharField(_("ICD-10 编码或前缀"), max_length=16)
    name = models.CharField(_("病种名称"), max_length=100)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("病种目录条目")
        verbose_name_plural = _("病种目录条目")
        ordering = ["kind", "grade_level", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "grade_level", "code"], name="catalog_entry_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DeductibleRate(models.Model):
    """The inpatient deductible (起付线) of an insurance scheme at a hospital grade, in yuan (county data)."""

    scheme = models.CharField(_("医保类型"), max_length=12)
    grade_level = models.CharField(_("医院等级"), max_length=1, choices=GradeLevel.choices[1:])
    amount = models.DecimalField(_("起付线（元）"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("起付线")
        verbose_name_plural = _("起付线")
        ordering = ["scheme", "grade_level"]
        constraints = [models.UniqueConstraint(fields=["scheme", "grade_level"], name="deductible_rate_unique"),
                       models.CheckConstraint(condition=Q(amount__gte=0), name="deductible_not_negative")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.grade_level} {self.amount}"


class FilingReason(models.TextChoices):
    BEYOND_COUNTY = "beyond_county", _("县域内无法诊治")
    CRITICAL = "critical", _("急危重症抢救")
    SPECIALIST = "specialist", _("需上级专科诊疗")
    FOLLOWUP = "followup", _("上级医院复诊")
    OTHER = "other", _("其他")


class OutsideFiling(models.Model):
    """转外就医备案: a referral out of the consortium to a higher hospital is filed with the reason (for the
    insurance office), not accepted or received here; counted on its own."""

    number = models.CharField(_("备案编号"), max_length=48, unique=True)
    resident = models.ForeignKey(Resident, verbose_name=_("患者"), on_delete=models.PROTECT,
                                 related_name="outside_filings")
    institution = models.ForeignKey(Institution, verbose_name=_("转出机构"), on_delete=models.PROTECT,
                                    related_name="outside_filings")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办医生"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("转往医院"), max_length=100)
    destination_grade = models.CharField(_("转往医院等级"), max_length=1, choices=GradeLevel.choices[1:], default="3")
    primary_diagnosis = models.CharField(_("诊断（ICD-10）"), max_length=16)
    reason = models.CharField(_("转外原因"), max_length=20, choices=FilingReason.choices)
    reason_detail = models.CharField(_("原因说明"), max_length=200)
    filed_on = models.DateField(_("备案日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("转外就医备案")
        verbose_name_plural = _("转外就医备案")
        indexes = [models.Index(fields=["institution", "filed_on"], name="filing_inst_date_idx")]

    def __str__(self) -> str:
        return self.number
