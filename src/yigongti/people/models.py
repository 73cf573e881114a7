"""The shared resident health record (一人一档): residents, households, tags, health exams, encounters, the
ICD-10 catalogue, and merges. Document numbers, phones and addresses are stored encrypted (people.crypto);
exact search goes through keyed blind indexes."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Area, Department, Institution
from yigongti.rules import icd10 as icd10_rules


class Sex(models.TextChoices):
    """GB/T 2261.1 sex codes."""

    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNKNOWN = "0", _("未知的性别")
    UNSPECIFIED = "9", _("未说明的性别")


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("居民身份证")
    BIRTH_CERTIFICATE = "birth_cert", _("出生医学证明")
    HMT_PERMIT = "hmt_permit", _("港澳台居民居住证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    NONE = "none", _("无证件")


class InsuranceScheme(models.TextChoices):
    EMPLOYEE = "employee", _("城镇职工基本医疗保险")
    RESIDENT = "resident", _("城乡居民基本医疗保险")
    COMMERCIAL = "commercial", _("商业医疗保险")
    FREE = "free", _("公费医疗")
    SELF_PAY = "self_pay", _("全自费")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    """Relation to the household head (GB/T 4761, abridged)."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    GRANDCHILD = "grandchild", _("孙子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class Disability(models.TextChoices):
    """残疾情况 of the 个人基本信息表 (records-referral-contracts.md "Health record"); stored as a list."""

    VISION = "vision", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    LIMB = "limb", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    OTHER = "other", _("其他残疾")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("在管")
    MOVED = "moved", _("已迁出")
    DECEASED = "deceased", _("已死亡")
    MERGED = "merged", _("已合并")


class Household(models.Model):
    number = models.CharField(_("户编号"), max_length=24, unique=True)
    area = models.ForeignKey(Area, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="households")
    head = models.ForeignKey("Resident", verbose_name=_("户主"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    address_enc = models.TextField(_("地址（加密）"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")

    def __str__(self) -> str:
        return self.number


class Resident(models.Model):
    """WS 365 个人基本信息表 essentials (records-referral-contracts.md "Health record")."""

    name = models.CharField(_("姓名"), max_length=40)
    name_initials = models.CharField(_("拼音首字母"), max_length=40, db_index=True, editable=False)
    name_pinyin = models.CharField(_("拼音"), max_length=160, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    document_type = models.CharField(_("证件类型"), max_length=12, choices=DocumentType.choices,
                                     default=DocumentType.ID_CARD)
    document_number_enc = models.TextField(_("证件号码（加密）"), blank=True, editable=False)
    document_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_enc = models.TextField(_("电话（加密）"), blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_last4_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address_enc = models.TextField(_("现住址（加密）"), blank=True, editable=False)
    contact_name = models.CharField(_("联系人姓名"), max_length=40, blank=True)
    contact_phone_enc = models.TextField(_("联系人电话（加密）"), blank=True, editable=False)
    ethnicity = models.CharField(_("民族"), max_length=16, default="汉族")
    area = models.ForeignKey(Area, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(Household, verbose_name=_("家庭户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices, blank=True)
    is_resident = models.BooleanField(_("常住"), default=True, help_text=_("在本地居住半年以上"))
    is_registered = models.BooleanField(_("户籍"), default=True)
    insurance_scheme = models.CharField(_("医疗费用支付方式"), max_length=12, choices=InsuranceScheme.choices,
                                        default=InsuranceScheme.RESIDENT)
    blood_type = models.CharField(_("血型"), max_length=8, blank=True)
    education = models.CharField(_("文化程度"), max_length=20, blank=True)
    occupation = models.CharField(_("职业"), max_length=40, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=10, blank=True)
    allergies = models.TextField(_("药物过敏史"), blank=True)
    past_history = models.JSONField(_("既往史"), default=list, blank=True)
    family_history = models.JSONField(_("家族史"), default=list, blank=True)
    disability = models.JSONField(_("残疾情况"), default=list, blank=True)
    record_number = models.CharField(_("健康档案编号"), max_length=17, unique=True, null=True, blank=True)
    status = models.CharField(_("档案状态"), max_length=10, choices=RecordStatus.choices,
                              default=RecordStatus.ACTIVE, db_index=True)
    moved_on = models.DateField(_("迁出日期"), null=True, blank=True)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    death_cause = models.CharField(_("死亡原因"), max_length=200, blank=True)
    managing_institution = models.ForeignKey(Institution, verbose_name=_("建档机构"), null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="managed_residents")
    needs_review = models.BooleanField(_("待核查"), default=False)
    review_reason = models.CharField(_("核查原因"), max_length=40, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("合并至"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_records")
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        indexes = [
            models.Index(fields=["area", "status"], name="resident_area_status_idx"),
            models.Index(fields=["name"], name="resident_name_idx"),
            models.Index(fields=["name_pinyin"], name="resident_pinyin_idx"),  # prefix search (queries._prefix)
            models.Index(fields=["birth_date"], name="resident_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """Manual key-population tags, and sensitive tags set by programmes (mental, hiv)."""

    class Tag(models.TextChoices):
        POVERTY_MONITORED = "poverty_monitored", _("防返贫监测对象")
        DISABLED = "disabled", _("残疾人")
        SPECIAL_FAMILY = "special_family", _("计生特殊家庭")
        MENTAL = "mental", _("严重精神障碍（敏感）")
        HIV = "hiv", _("艾滋病（敏感）")

    SENSITIVE = frozenset({Tag.MENTAL, Tag.HIV})

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("标签"), max_length=20, choices=Tag.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重点人群标签")
        verbose_name_plural = _("重点人群标签")
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")]
        indexes = [models.Index(fields=["tag"], name="resident_tag_idx")]

    def __str__(self) -> str:
        return self.get_tag_display()


def _programme_expression():
    """The programme of a code computed by the database from rules/icd10.py's table, so every loader (the
    catalogue import's bulk_create too) gets it without code of its own."""
    whens = []
    for programme, categories in icd10_rules.PROGRAMME_CATEGORIES.items():
        cond = Q()
        for cat in categories:
            cond |= Q(code__startswith=cat)
        whens.append(When(cond, then=Value(programme)))
    return Case(*whens, default=Value(""), output_field=models.CharField(max_length=16))


def _is_programme_expression():
    cond = Q()
    for categories in icd10_rules.PROGRAMME_CATEGORIES.values():
        for cat in categories:
            cond |= Q(code__startswith=cat)
    return Case(When(cond, then=Value(True)), default=Value(False), output_field=models.BooleanField())


class Icd10Code(models.Model):
    """The one disease catalogue every app uses (ICD-10 国家临床版 2.0 / 医保版 2.0)."""

    class Version(models.TextChoices):
        CLINICAL = "clinical-2.0", _("国家临床版2.0")
        INSURANCE = "insurance-2.0", _("医保版2.0")

    code = models.CharField(_("编码"), max_length=16)
    name = models.CharField(_("名称"), max_length=200)
    version = models.CharField(_("版本"), max_length=16, choices=Version.choices, default=Version.CLINICAL)
    chapter = models.CharField(_("章"), max_length=8, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    # identifiers.md "ICD-10 codes of the programmes" (rules/icd10.py): computed, never typed.
    programme = models.GeneratedField(expression=_programme_expression(), db_persist=True,
                                      output_field=models.CharField(_("慢病管理项目"), max_length=16))
    is_programme = models.GeneratedField(expression=_is_programme_expression(), db_persist=True,
                                         output_field=models.BooleanField(_("慢病管理项目病种")))

    class Meta:
        verbose_name = _("ICD-10 编码")
        verbose_name_plural = _("ICD-10 编码")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="icd10_version_code_unique")]
        indexes = [models.Index(fields=["code"], name="icd10_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class HealthExam(models.Model):
    """健康体检表 essentials (records-referral-contracts.md "Health record"). The older-people programme
    visit uses this record too (design: "Shared concepts")."""

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="exams")
    institution = models.ForeignKey(Institution, verbose_name=_("体检机构"), on_delete=models.PROTECT,
                                    related_name="exams")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任医生"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    exam_date = models.DateField(_("体检日期"))
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    temperature = models.DecimalField(_("体温(℃)"), max_digits=4, decimal_places=1, null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("脉率(次/分)"), null=True, blank=True)
    respiration = models.PositiveSmallIntegerField(_("呼吸频率(次/分)"), null=True, blank=True)
    systolic_left = models.PositiveSmallIntegerField(_("左侧收缩压"), null=True, blank=True)
    diastolic_left = models.PositiveSmallIntegerField(_("左侧舒张压"), null=True, blank=True)
    systolic_right = models.PositiveSmallIntegerField(_("右侧收缩压"), null=True, blank=True)
    diastolic_right = models.PositiveSmallIntegerField(_("右侧舒张压"), null=True, blank=True)
    height = models.DecimalField(_("身高(cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    weight = models.DecimalField(_("体重(kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    waist = models.DecimalField(_("腰围(cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    bmi = models.DecimalField(_("体质指数"), max_digits=4, decimal_places=1, null=True, blank=True, editable=False)
    self_assessment = models.CharField(_("老年人健康状态自我评估"), max_length=12, blank=True)
    self_care_score = models.PositiveSmallIntegerField(_("生活自理能力评分"), null=True, blank=True)
    cognition = models.CharField(_("认知功能"), max_length=40, blank=True)
    mood = models.CharField(_("情感状态"), max_length=40, blank=True)
    lifestyle = models.JSONField(_("生活方式"), default=dict, blank=True)
    organ_function = models.JSONField(_("脏器功能"), default=dict, blank=True)
    findings = models.JSONField(_("查体"), default=dict, blank=True)
    fasting_glucose = models.DecimalField(_("空腹血糖(mmol/L)"), max_digits=4, decimal_places=1, null=True,
                                          blank=True)
    total_cholesterol = models.DecimalField(_("总胆固醇"), max_digits=4, decimal_places=2, null=True, blank=True)
    triglycerides = models.DecimalField(_("甘油三酯"), max_digits=4, decimal_places=2, null=True, blank=True)
    ldl = models.DecimalField(_("低密度脂蛋白"), max_digits=4, decimal_places=2, null=True, blank=True)
    hdl = models.DecimalField(_("高密度脂蛋白"), max_digits=4, decimal_places=2, null=True, blank=True)
    ecg_summary = models.CharField(_("心电图"), max_length=200, blank=True)
    ultrasound_summary = models.CharField(_("腹部B超"), max_length=200, blank=True)
    assessment = models.TextField(_("健康评价"), blank=True)
    advice = models.TextField(_("健康指导"), blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("健康体检")
        verbose_name_plural = _("健康体检")
        indexes = [models.Index(fields=["resident", "exam_date"], name="exam_resident_date_idx"),
                   models.Index(fields=["institution", "exam_date"], name="exam_inst_date_idx")]
        constraints = [models.UniqueConstraint(fields=["institution", "external_id"],
                                               condition=~Q(external_id=""), name="exam_external_id_unique")]

    def __str__(self) -> str:
        return f"{self.resident} {self.exam_date}"


class EncounterKind(models.TextChoices):
    OUTPATIENT = "outpatient", _("门诊")
    INPATIENT = "inpatient", _("住院")
    EMERGENCY = "emergency", _("急诊")


class EncounterSource(models.TextChoices):
    YIGONGTI = "yigongti", _("本平台录入")
    HIS = "his", _("HIS 接入")


class Encounter(models.Model):
    """A visit or a stay with its cost breakdown (成效分析: 均次费用, 药占比, 医疗服务性收入占比).
    Recorded here for institutions whose clinical system is yigongti; ingested from the HIS otherwise."""

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="encounters")
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="encounters")
    department = models.ForeignKey(Department, verbose_name=_("科室"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="encounters")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("医生"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=EncounterKind.choices)
    visit_date = models.DateField(_("就诊/入院日期"))
    discharge_date = models.DateField(_("出院日期"), null=True, blank=True)
    primary_diagnosis = models.CharField(_("主要诊断"), max_length=16)
    other_diagnoses = models.JSONField(_("其他诊断"), default=list, blank=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("舒张压"), null=True, blank=True)
    fasting_glucose = models.DecimalField(_("空腹血糖(mmol/L)"), max_digits=4, decimal_places=1, null=True,
                                          blank=True)
    total_cost = models.DecimalField(_("总费用"), max_digits=12, decimal_places=2, default=0)
    drug_cost = models.DecimalField(_("药品费"), max_digits=12, decimal_places=2, default=0)
    consumables_cost = models.DecimalField(_("耗材费"), max_digits=12, decimal_places=2, default=0)
    medical_service_income = models.DecimalField(_("医疗服务性收入"), max_digits=12, decimal_places=2, default=0)
    insurance_paid = models.DecimalField(_("医保支付"), max_digits=12, decimal_places=2, default=0)
    is_tcm = models.BooleanField(_("中医诊疗"), default=False)
    source = models.CharField(_("来源"), max_length=10, choices=EncounterSource.choices,
                              default=EncounterSource.YIGONGTI)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("就诊记录")
        verbose_name_plural = _("就诊记录")
        indexes = [
            models.Index(fields=["institution", "visit_date"], name="enc_inst_date_idx"),
            models.Index(fields=["resident", "visit_date"], name="enc_resident_date_idx"),
            models.Index(fields=["visit_date"], name="enc_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["institution", "source", "external_id"], condition=~Q(external_id=""),
                                    name="encounter_external_id_unique"),
            models.CheckConstraint(condition=Q(total_cost__gte=0) & Q(drug_cost__gte=0)
                                   & Q(consumables_cost__gte=0) & Q(medical_service_income__gte=0)
                                   & Q(insurance_paid__gte=0), name="encounter_costs_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_kind_display()} {self.visit_date}"


class ResidentMerge(models.Model):
    """A merge of two records of one person; ``moved`` lists what was re-pointed so it can be undone."""

    kept = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="merges_absorbed")
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    moved = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("档案合并")
        verbose_name_plural = _("档案合并")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"


class Measurement(models.Model):
    """A standalone vital sign or measurement (a blood pressure taken at a village clinic, a glucose strip, a
    weight), not part of an exam or an encounter: what a HIS, a device gateway or FHIR pushes as an
    Observation lands here (people/measurements.py). Coded in LOINC; a blood pressure keeps both values."""

    class Code(models.TextChoices):
        BLOOD_PRESSURE = "85354-9", _("血压")
        FASTING_GLUCOSE = "1558-6", _("空腹血糖")
        WEIGHT = "29463-7", _("体重")
        HEIGHT = "8302-2", _("身高")
        BMI = "39156-5", _("体质指数")
        HEART_RATE = "8867-4", _("心率")

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="measurements")
    institution = models.ForeignKey(Institution, verbose_name=_("测量机构"), on_delete=models.PROTECT,
                                    related_name="measurements")
    encounter = models.ForeignKey(Encounter, verbose_name=_("就诊记录"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="measurements")
    measured_at = models.DateTimeField(_("测量时间"))
    code = models.CharField(_("项目（LOINC）"), max_length=16, choices=Code.choices)
    value = models.DecimalField(_("数值"), max_digits=7, decimal_places=2, null=True, blank=True)
    systolic = models.PositiveSmallIntegerField(_("收缩压"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("舒张压"), null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=16)
    source = models.CharField(_("来源"), max_length=16, default="yigongti")
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("体征测量")
        verbose_name_plural = _("体征测量")
        indexes = [models.Index(fields=["resident", "measured_at"], name="measure_resident_time_idx"),
                   models.Index(fields=["institution", "measured_at"], name="measure_inst_time_idx")]
        constraints = [
            models.UniqueConstraint(fields=["institution", "source", "external_id"], condition=~Q(external_id=""),
                                    name="measurement_external_id_unique"),
            models.CheckConstraint(condition=Q(value__isnull=False) | Q(systolic__isnull=False, diastolic__isnull=False),
                                   name="measurement_has_value"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_code_display()} {self.measured_at:%Y-%m-%d}"
