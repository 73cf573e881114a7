"""Consortium structure: areas, institutions, departments, staff and their roles (Foundation 2)."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")


class Area(models.Model):
    """The administrative tree. County: GB/T 2260 6-digit code; below it the NBS 12-digit statistical
    code (6 county + 3 township + 3 village), identifiers.md "Administrative divisions"."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=12, choices=AreaLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    # Materialised path of codes ("360121/360121100000/360121100201/") for subtree queries.
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    def subtree(self):
        return Area.objects.filter(path__startswith=self.path)


class Tier(models.TextChoices):
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class InstitutionKind(models.TextChoices):
    GENERAL_HOSPITAL = "general_hospital", _("综合医院")
    TCM_HOSPITAL = "tcm_hospital", _("中医院")
    MCH_HOSPITAL = "mch_hospital", _("妇幼保健院")
    CDC = "cdc", _("疾病预防控制中心")
    EMERGENCY_CENTRE = "emergency_centre", _("急救中心")
    TOWNSHIP_CENTRE = "township_centre", _("乡镇卫生院")
    COMMUNITY_CENTRE = "community_centre", _("社区卫生服务中心")
    COMMUNITY_STATION = "community_station", _("社区卫生服务站")
    VILLAGE_CLINIC = "village_clinic", _("村卫生室")


class Grade(models.TextChoices):
    NONE = "", _("未定级")
    L1 = "1", _("一级")
    L1A = "1A", _("一级甲等")
    L1B = "1B", _("一级乙等")
    L2 = "2", _("二级")
    L2A = "2A", _("二级甲等")
    L2B = "2B", _("二级乙等")
    L3 = "3", _("三级")
    L3A = "3A", _("三级甲等")
    L3B = "3B", _("三级乙等")


class ClinicalSystem(models.TextChoices):
    """Where encounters and drug costs come from (design: "Who owns which data")."""

    YIGONGTI = "yigongti", _("本平台")
    EXTERNAL_HIS = "external_his", _("外部HIS")


class Institution(models.Model):
    code = models.CharField(_("机构编码"), max_length=32, unique=True)
    name = models.CharField(_("机构名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices)
    kind = models.CharField(_("类别"), max_length=24, choices=InstitutionKind.choices)
    grade = models.CharField(_("等级"), max_length=2, choices=Grade.choices, blank=True, default="")
    insurance_code = models.CharField(_("医保定点编码"), max_length=32, blank=True)
    clinical_system = models.CharField(_("临床系统"), max_length=16, choices=ClinicalSystem.choices,
                                       default=ClinicalSystem.YIGONGTI)
    parent = models.ForeignKey("self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    is_lead = models.BooleanField(_("牵头医院"), default=False)
    is_subcentre = models.BooleanField(_("区域分中心"), default=False)
    area = models.ForeignKey(Area, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="institutions")
    # The villages/communities (or township) whose residents this institution serves: for a village clinic
    # the villages it serves (m:n, a large village may have two clinics), for a township centre its
    # township. A county hospital serves no area for clinical records (design: Access).
    service_areas = models.ManyToManyField(Area, verbose_name=_("服务区域"), blank=True, related_name="served_by")
    # Sub-centres serve neighbouring townships for referral and expert work.
    serves_institutions = models.ManyToManyField("self", verbose_name=_("辐射机构"), blank=True, symmetrical=False,
                                                 related_name="served_by_subcentres")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    beds = models.PositiveIntegerField(_("编制床位"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("医疗卫生机构")
        verbose_name_plural = _("医疗卫生机构")
        ordering = ["tier", "code"]
        indexes = [models.Index(fields=["tier", "kind"])]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.CASCADE,
                                    related_name="departments")
    code = models.CharField(_("科室编码"), max_length=32)
    name = models.CharField(_("科室名称"), max_length=60)
    is_tcm = models.BooleanField(_("中医类科室"), default=False)
    head = models.ForeignKey("User", verbose_name=_("科主任"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="headed_departments")

    class Meta:
        verbose_name = _("科室")
        verbose_name_plural = _("科室")
        constraints = [models.UniqueConstraint(fields=["institution", "code"], name="department_code_unique")]
        ordering = ["institution", "code"]

    def __str__(self) -> str:
        return f"{self.institution.short_name or self.institution.name} {self.name}"


class Title(models.TextChoices):
    """Professional title (专业技术职称) levels."""

    NONE = "", _("无")
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ASSOCIATE_SENIOR = "associate_senior", _("副高")
    SENIOR = "senior", _("正高")


class User(AbstractUser):
    """A person who works in the consortium. Name in Chinese in ``full_name``."""

    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices, blank=True, default="")
    title_name = models.CharField(_("职称名称"), max_length=40, blank=True, help_text=_("如 主治医师、副主任医师"))
    # Account security (issue 16): an initial or reset password must be changed at first login; demo
    # accounts skip that only while YIGONGTI_DEMO=1; password_changed_at drives the history rule.
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    VILLAGE_DOCTOR = "village_doctor", _("乡村医生")
    TOWNSHIP_DOCTOR = "township_doctor", _("乡镇医生")
    NURSE = "nurse", _("护士")
    PUBLIC_HEALTH = "public_health", _("公卫人员")
    COUNTY_SPECIALIST = "county_specialist", _("县级专科医生")
    DEPARTMENT_HEAD = "department_head", _("科主任")
    TEAM_LEADER = "team_leader", _("家庭医生团队长")
    INSTITUTION_ADMIN = "institution_admin", _("机构管理员")
    CONSORTIUM_OFFICE = "consortium_office", _("医共体办公室")
    HEALTH_BUREAU = "health_bureau", _("卫健局/疾控")
    # The consortium's finance director (医共体财务总监): budget, settlements, work-point approval, expenses above
    # the threshold; sees figures and money, no resident records.
    FINANCE_DIRECTOR = "finance_director", _("医共体财务总监")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    # Programme roles: records tagged sensitive need one of these as well (design: Access).
    MENTAL_HEALTH = "mental_health", _("精防医生")
    HIV_CARE = "hiv_care", _("艾滋病防治人员")


class Membership(models.Model):
    """A user's place at one institution. A user may have several (seconded staff, 1+1+N teams)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="memberships")
    department = models.ForeignKey(Department, verbose_name=_("科室"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="memberships")
    is_primary = models.BooleanField(_("主要执业机构"), default=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [models.UniqueConstraint(fields=["user", "institution"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class StaffRole(models.Model):
    """A role held at the membership's institution."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="staff_role_unique")]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return self.get_role_display()


class ReservedBed(models.Model):
    """A bed reserved for up-referrals (seed 000: the county hospital keeps 5). One row per bed; a bed is
    free when it has no holder or the hold has passed (design: "Reserved beds"). The referral app holds
    it with a conditional UPDATE on this row."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.CASCADE,
                                    related_name="reserved_beds")
    department = models.ForeignKey(Department, verbose_name=_("科室"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reserved_beds")
    label = models.CharField(_("床位号"), max_length=20)
    holder_label = models.CharField(_("占用者"), max_length=60, blank=True)
    holder_ref = models.CharField(_("占用来源"), max_length=60, blank=True,
                                  help_text=_("占用该床位的记录，如 referrals.Referral:12"))
    hold_until = models.DateTimeField(_("保留至"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预留床位")
        verbose_name_plural = _("预留床位")
        constraints = [models.UniqueConstraint(fields=["institution", "label"], name="reserved_bed_label_unique")]
        ordering = ["institution", "label"]

    def __str__(self) -> str:
        return f"{self.institution} {self.label}"


class AgeBand(models.TextChoices):
    """Age bands of the population denominators (issue 3): 0–2, 3–6, 7–34, 35–64, ≥65."""

    A0_2 = "0-2", _("0–2岁")
    A3_6 = "3-6", _("3–6岁")
    A7_34 = "7-34", _("7–34岁")
    A35_64 = "35-64", _("35–64岁")
    A65 = "65+", _("65岁及以上")


class PopulationDenominator(models.Model):
    """Population per area per year (health-bureau statistics): 常住 and 户籍 by sex and age band, live
    births, insured persons by scheme. Every coverage indicator and the money module read them here."""

    area = models.ForeignKey(Area, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="denominators")
    year = models.PositiveSmallIntegerField(_("年度"))
    sex = models.CharField(_("性别"), max_length=1, choices=[("1", _("男")), ("2", _("女"))])
    age_band = models.CharField(_("年龄组"), max_length=6, choices=AgeBand.choices)
    resident = models.PositiveIntegerField(_("常住人口"), default=0)
    registered = models.PositiveIntegerField(_("户籍人口"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口数")
        verbose_name_plural = _("人口数")
        constraints = [models.UniqueConstraint(fields=["area", "year", "sex", "age_band"],
                                               name="denominator_cell_unique")]
        indexes = [models.Index(fields=["year", "area"])]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.sex} {self.age_band}"


class AreaYearFigures(models.Model):
    """Per area and year: live births and insured persons by scheme (职工医保 / 城乡居民医保)."""

    area = models.ForeignKey(Area, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="year_figures")
    year = models.PositiveSmallIntegerField(_("年度"))
    live_births = models.PositiveIntegerField(_("活产数"), default=0)
    insured_employee = models.PositiveIntegerField(_("职工医保参保人数"), default=0)
    insured_resident = models.PositiveIntegerField(_("城乡居民医保参保人数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度人口指标")
        verbose_name_plural = _("年度人口指标")
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="area_year_figures_unique")]

    def __str__(self) -> str:
        return f"{self.area} {self.year}"


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords: a new password may not repeat the last N (等保 身份鉴别)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="org_pwhist_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginEventKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    FAILED = "failed", _("密码错误")
    LOCKED = "locked", _("锁定")
    OTP_OK = "otp_ok", _("二次验证通过")
    OTP_FAILED = "otp_failed", _("二次验证失败")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    SIGNED_OUT_ALL = "signed_out_all", _("退出全部会话")


class LoginEvent(models.Model):
    """One line of a user's login history, kept at least YIGONGTI_LOGIN_HISTORY_DAYS (≥ 183) days."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="login_events")
    username = models.CharField(_("用户名"), max_length=150)
    kind = models.CharField(_("事件"), max_length=20, choices=LoginEventKind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    session_key = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="org_loginevent_user_idx"),
                   models.Index(fields=["username", "kind", "at"], name="org_loginevent_name_idx")]

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.at:%Y-%m-%d %H:%M}"
