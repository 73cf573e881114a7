"""The programme engine's tables (design: "Programmes share one engine"): one enrolment, visit and schedule
shape for every programme (hypertension, diabetes, severe mental disorders, TB). What differs per programme
lives in ``programmes.py`` (rule module, form, adapter) and in the JSON ``details`` it validates.

Due and overdue are never stored: ``Enrolment.next_due`` is the schedule; lists compare it with today."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution
from yigongti.people.models import Icd10Code, Resident


class Programme(models.TextChoices):
    HYPERTENSION = "hypertension", _("高血压")
    DIABETES = "diabetes", _("2型糖尿病")
    MENTAL = "mental", _("严重精神障碍")
    TB = "tb", _("肺结核")
    OLDER = "older", _("老年人健康管理")
    CHILD = "child", _("0–6岁儿童健康管理")
    MATERNAL = "maternal", _("孕产妇健康管理")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    LEFT = "left", _("已出组")


class LeaveReason(models.TextChoices):
    MOVED = "moved", _("迁出")
    DIED = "died", _("死亡")
    TRANSFERRED = "transferred", _("转出管理")
    DIAGNOSIS_REVISED = "diagnosis_revised", _("修正诊断")
    LOST = "lost", _("失访")
    TREATMENT_FINISHED = "treatment_finished", _("疗程结束")
    AGED_OUT = "aged_out", _("超出服务年龄")


class Mode(models.TextChoices):
    CLINIC = "clinic", _("门诊")
    HOME = "home", _("家庭")
    PHONE = "phone", _("电话")


class Enrolment(models.Model):
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="chronic_enrolments")
    programme = models.CharField(_("管理项目"), max_length=16, choices=Programme.choices)
    diagnosing_institution = models.ForeignKey(Institution, verbose_name=_("确诊机构"), null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")
    diagnosis_date = models.DateField(_("确诊日期"), null=True, blank=True)
    icd10 = models.ForeignKey(Icd10Code, verbose_name=_("ICD-10诊断"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    managing_institution = models.ForeignKey(Institution, verbose_name=_("管理机构"), on_delete=models.PROTECT,
                                             related_name="chronic_enrolments")
    managing_doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任医生"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="chronic_patients")
    enrolled_on = models.DateField(_("纳入管理日期"))
    status = models.CharField(_("状态"), max_length=8, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.ACTIVE)
    left_on = models.DateField(_("出组日期"), null=True, blank=True)
    leave_reason = models.CharField(_("出组原因"), max_length=20, choices=LeaveReason.choices, blank=True)
    leave_note = models.CharField(_("出组说明"), max_length=200, blank=True)
    # the schedule: the date the next follow-up is due (due/overdue computed from it at query time)
    next_due = models.DateField(_("下次随访日期"), null=True, blank=True)
    last_visit_on = models.DateField(_("末次随访日期"), null=True, blank=True)
    last_classification = models.CharField(_("末次随访分类"), max_length=24, blank=True)
    # 0 lowest … higher = more severe (the classification's rank in the programme's rule module; +10 urgent)
    risk = models.PositiveSmallIntegerField(_("风险排序"), default=0)
    details = models.JSONField(_("项目信息"), default=dict, blank=True)
    external_id = models.CharField(_("原系统编号"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目管理（入组）")
        verbose_name_plural = _("项目管理（入组）")
        constraints = [
            models.UniqueConstraint(fields=["resident", "programme"], condition=Q(status="active"),
                                    name="chronic_one_active_enrolment"),
            models.CheckConstraint(condition=Q(status="active") | Q(left_on__isnull=False),
                                   name="chronic_left_has_date"),
        ]
        indexes = [
            models.Index(fields=["managing_doctor", "status", "next_due"], name="chronic_enr_doctor_due"),
            models.Index(fields=["managing_institution", "status", "next_due"], name="chronic_enr_inst_due"),
            models.Index(fields=["programme", "status", "next_due"], name="chronic_enr_prog_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} #{self.pk}"


class Visit(models.Model):
    """One follow-up (随访服务记录表): the national form's common fields, programme fields in ``details``."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("项目管理"), on_delete=models.PROTECT,
                                  related_name="visits")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="chronic_visits")
    programme = models.CharField(_("管理项目"), max_length=16, choices=Programme.choices)
    visit_date = models.DateField(_("随访日期"))
    mode = models.CharField(_("随访方式"), max_length=8, choices=Mode.choices)
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("随访医生"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    institution = models.ForeignKey(Institution, verbose_name=_("随访机构"), on_delete=models.PROTECT,
                                    related_name="+")
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    symptoms_other = models.CharField(_("其他症状"), max_length=200, blank=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("舒张压"), null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("心率"), null=True, blank=True)
    weight = models.DecimalField(_("体重(kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    weight_target = models.DecimalField(_("目标体重(kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    fasting_glucose = models.DecimalField(_("空腹血糖(mmol/L)"), max_digits=4, decimal_places=1, null=True,
                                          blank=True)
    lifestyle = models.JSONField(_("生活方式指导"), default=dict, blank=True)
    adherence = models.CharField(_("服药依从性"), max_length=16, blank=True)
    adverse_reaction = models.BooleanField(_("药物不良反应"), default=False)
    adverse_reaction_note = models.CharField(_("不良反应说明"), max_length=200, blank=True)
    medications = models.JSONField(_("用药情况"), default=list, blank=True)
    computed_classification = models.CharField(_("规则分类"), max_length=24, blank=True)
    classification = models.CharField(_("此次随访分类"), max_length=24)
    override_reason = models.CharField(_("修改分类的理由"), max_length=200, blank=True)
    reasons = models.JSONField(_("分类依据"), default=list, blank=True)
    referral = models.CharField(_("转诊建议"), max_length=8, blank=True)
    referral_reason = models.CharField(_("转诊原因"), max_length=200, blank=True)
    referral_to = models.CharField(_("转诊机构及科别"), max_length=120, blank=True)
    next_due = models.DateField(_("下次随访日期"), null=True, blank=True)
    # None: nothing measured at this visit (not on target for the control rates)
    controlled = models.BooleanField(_("达标"), null=True, blank=True)
    details = models.JSONField(_("项目专项"), default=dict, blank=True)
    home_visit_at = models.DateTimeField(_("入户时间"), null=True, blank=True)
    location = models.CharField(_("设备位置"), max_length=64, blank=True)
    signature_png = models.TextField(_("居民签名"), blank=True)
    external_id = models.CharField(_("原系统编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("随访记录")
        verbose_name_plural = _("随访记录")
        indexes = [
            models.Index(fields=["enrolment", "visit_date"], name="chronic_visit_enr_date"),
            models.Index(fields=["resident", "visit_date"], name="chronic_visit_res_date"),
            models.Index(fields=["programme", "visit_date"], name="chronic_visit_prog_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.visit_date}"


class ScreeningFlag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        CONFIRMED = "confirmed", _("已确诊纳管")
        DISMISSED = "dismissed", _("已排除")

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="screening_flags")
    condition = models.CharField(_("病种"), max_length=16, choices=Programme.choices)
    action = models.CharField(_("筛查结论"), max_length=32)
    first_raised_on = models.DateField(_("首次异常日期"), null=True, blank=True)
    latest_on = models.DateField(_("最近测量日期"), null=True, blank=True)
    due_on = models.DateField(_("复查/随访日期"), null=True, blank=True)
    readings_count = models.PositiveSmallIntegerField(_("异常天数"), default=0)
    institution = models.ForeignKey(Institution, verbose_name=_("测量机构"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("筛查提示")
        verbose_name_plural = _("筛查提示")
        constraints = [models.UniqueConstraint(fields=["resident", "condition"], condition=Q(status="open"),
                                               name="chronic_one_open_flag")]

    def __str__(self) -> str:
        return f"{self.get_condition_display()} {self.action}"


class Notification(models.Model):
    """A TB (or SMI) case notified by the national vertical system and imported here."""

    external_id = models.CharField(_("报告卡编号"), max_length=64, unique=True)
    programme = models.CharField(_("管理项目"), max_length=16, choices=Programme.choices, default="tb")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="+")
    arrived_at = models.DateTimeField(_("推送到达时间"))
    regimen = models.CharField(_("治疗方案"), max_length=40)
    treatment_start = models.DateField(_("开始治疗日期"))
    supervision = models.CharField(_("督导方式"), max_length=8)
    reported_by = models.CharField(_("报告单位"), max_length=120, blank=True)
    managing_institution = models.ForeignKey(Institution, verbose_name=_("管理机构"), on_delete=models.PROTECT,
                                             related_name="+")
    enrolment = models.OneToOneField(Enrolment, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="notification")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("结核病患者推送")
        verbose_name_plural = _("结核病患者推送")

    def __str__(self) -> str:
        return self.external_id


class FirstVisitAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(_("入户时间"))
    succeeded = models.BooleanField(_("见到患者"))
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("首次入户")
        verbose_name_plural = _("首次入户")

    def __str__(self) -> str:
        return f"{self.notification_id} {self.attempted_at:%Y-%m-%d %H:%M}"


class CallOutcome(models.Model):
    class Outcome(models.TextChoices):
        WILL_COME = "will_come", _("会来随访")
        NO_ANSWER = "no_answer", _("无人接听")
        REFUSED = "refused", _("拒绝")
        MOVED = "moved", _("已迁出")
        DIED = "died", _("已死亡")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="calls")
    called_at = models.DateTimeField(_("电话时间"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = _("电话结果")
        verbose_name_plural = _("电话结果")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.called_at:%Y-%m-%d}"


class MergeRecord(models.Model):
    """What a resident merge re-pointed here, so an undo can put it back."""

    merge_id = models.IntegerField(unique=True)
    moved = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"merge {self.merge_id}"


class Vaccination(models.Model):
    """One dose from the provincial immunisation system's export (given, or due by that system's schedule).
    The platform never computes a vaccine schedule of its own: due doses are the province's, as imported."""

    class Status(models.TextChoices):
        GIVEN = "given", _("已接种")
        DUE = "due", _("应种")

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="vaccinations")
    vaccine = models.CharField(_("疫苗名称"), max_length=60)
    dose = models.PositiveSmallIntegerField(_("剂次"), default=1)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.GIVEN)
    given_on = models.DateField(_("接种日期"), null=True, blank=True)
    due_on = models.DateField(_("应种日期"), null=True, blank=True)
    site = models.CharField(_("接种单位"), max_length=120, blank=True)
    batch = models.CharField(_("疫苗批号"), max_length=40, blank=True)
    institution = models.ForeignKey(Institution, verbose_name=_("导入机构"), on_delete=models.PROTECT,
                                    related_name="+")
    external_id = models.CharField(_("接种记录编号"), max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预防接种记录")
        verbose_name_plural = _("预防接种记录")
        constraints = [models.UniqueConstraint(fields=["external_id"], name="chronic_vaccination_external_unique"),
                       models.CheckConstraint(condition=Q(status="due") | Q(given_on__isnull=False),
                                              name="chronic_vaccination_given_has_date")]
        indexes = [models.Index(fields=["resident", "given_on"], name="chronic_vacc_res_date")]

    def __str__(self) -> str:
        return f"{self.vaccine} {self.dose}"


class EducationActivity(models.Model):
    """A health-education activity (健康教育): a lecture, a consultation day, materials handed out, a
    bulletin board, an education session at a visit recorded on the visit itself (``Visit.details``)."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("健康知识讲座")
        CONSULTATION = "consultation", _("公众健康咨询活动")
        MATERIALS = "materials", _("发放健康教育资料")
        BOARD = "board", _("健康教育宣传栏")
        VIDEO = "video", _("播放音像资料")

    institution = models.ForeignKey(Institution, verbose_name=_("开展机构"), on_delete=models.PROTECT,
                                    related_name="+")
    kind = models.CharField(_("活动形式"), max_length=14, choices=Kind.choices)
    held_on = models.DateField(_("活动日期"))
    topic = models.CharField(_("活动主题"), max_length=120)
    place = models.CharField(_("活动地点"), max_length=120, blank=True)
    audience = models.PositiveIntegerField(_("参与人数"), default=0)
    materials = models.PositiveIntegerField(_("发放资料份数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("健康教育活动")
        verbose_name_plural = _("健康教育活动")
        indexes = [models.Index(fields=["institution", "held_on"], name="chronic_edu_inst_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class GrowthTableImport(models.Model):
    """One load of the WS/T 423-2022 reference table supplied by the county's child-health department
    (``yigongti chronic import-growth-table``): who loaded what, from which source. The latest one is the
    table in force; its rows are ``GrowthReference``."""

    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    source = models.CharField(_("来源"), max_length=200)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("行数"))
    checksum = models.CharField(_("校验值"), max_length=64)

    class Meta:
        verbose_name = _("生长标准参考表导入")
        verbose_name_plural = _("生长标准参考表导入")

    def __str__(self) -> str:
        return f"{self.source} ({self.rows})"


class GrowthReference(models.Model):
    """One row of the reference table (WS/T 423-2022 SD tables): indicator, sex, age in months or length/height
    in cm, and the seven SD columns (kg or cm)."""

    table = models.ForeignKey(GrowthTableImport, on_delete=models.CASCADE, related_name="references")
    indicator = models.CharField(_("指标"), max_length=20)
    sex = models.CharField(_("性别"), max_length=1)
    x = models.DecimalField(_("月龄或身长/身高"), max_digits=5, decimal_places=1)
    sd_neg3 = models.DecimalField("-3SD", max_digits=7, decimal_places=3)
    sd_neg2 = models.DecimalField("-2SD", max_digits=7, decimal_places=3)
    sd_neg1 = models.DecimalField("-1SD", max_digits=7, decimal_places=3)
    median = models.DecimalField(_("中位数"), max_digits=7, decimal_places=3)
    sd_pos1 = models.DecimalField("+1SD", max_digits=7, decimal_places=3)
    sd_pos2 = models.DecimalField("+2SD", max_digits=7, decimal_places=3)
    sd_pos3 = models.DecimalField("+3SD", max_digits=7, decimal_places=3)

    class Meta:
        verbose_name = _("生长标准参考值")
        verbose_name_plural = _("生长标准参考值")
        constraints = [models.UniqueConstraint(fields=["table", "indicator", "sex", "x"],
                                               name="chronic_growth_reference_once")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.sex} {self.x}"
