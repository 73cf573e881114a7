"""Family-doctor teams (1+1+N), service packages, contracts (家庭医生签约服务).

records-referral-contracts.md "Family-doctor contracts": one team per resident at a time, default term one
year, basic package free to the resident, personalised packages paid; the fee split is a county setting.
Fulfilment is not stored: it is counted at query time from ``people.services.delivered``.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Area, Institution
from yigongti.people.models import Resident


class MemberRole(models.TextChoices):
    COUNTY_SPECIALIST = "county_specialist", _("县级专科医生")
    TOWNSHIP_GP = "township_gp", _("乡镇全科医生")
    NURSE = "nurse", _("护士")
    PUBLIC_HEALTH = "public_health", _("公卫人员")
    VILLAGE_DOCTOR = "village_doctor", _("乡村医生")


class Team(models.Model):
    """A family-doctor team: a township GP's institution leads it; members may come from several institutions."""

    name = models.CharField(_("团队名称"), max_length=60)
    institution = models.ForeignKey(Institution, verbose_name=_("牵头机构"), on_delete=models.PROTECT,
                                    related_name="fd_teams")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("团队长"), on_delete=models.PROTECT,
                               related_name="fd_led_teams")
    areas = models.ManyToManyField(Area, verbose_name=_("服务片区"), related_name="fd_teams", blank=True)
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭医生团队")
        verbose_name_plural = _("家庭医生团队")
        ordering = ["institution_id", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("成员"), on_delete=models.PROTECT,
                             related_name="fd_memberships")
    institution = models.ForeignKey(Institution, verbose_name=_("所在机构"), on_delete=models.PROTECT,
                                    related_name="+")
    role = models.CharField(_("团队角色"), max_length=20, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="fd_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class PackageKind(models.TextChoices):
    BASIC = "basic", _("基础服务包")
    PERSONAL = "personal", _("个性化服务包")


class Package(models.Model):
    code = models.CharField(_("编码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=10, choices=PackageKind.choices)
    price = models.DecimalField(_("年服务费（元）"), max_digits=9, decimal_places=2, default=Decimal("0"))
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("服务包")
        verbose_name_plural = _("服务包")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class PackageItem(models.Model):
    """One service of a package. ``service_code`` is a kind of ``people.services`` (counted when an app
    records it); blank = a service the platform does not record (shown, not counted)."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    label = models.CharField(_("服务项目"), max_length=120)
    service_code = models.CharField(_("服务类别代码"), max_length=40, blank=True)
    yearly_count = models.PositiveSmallIntegerField(_("每年次数"), default=0)
    # A key population (people.keypops code: older_65, children_0_6, hypertension, diabetes, mental, tb, …):
    # the item is due only for members of it; blank = every contracted resident.
    population = models.CharField(_("适用人群"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["package_id", "position", "id"]

    def __str__(self) -> str:
        return self.label


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("履约中")
    ENDED = "ended", _("已到期")
    TERMINATED = "terminated", _("已解约")


class Signature(models.TextChoices):
    PAPER = "paper", _("纸质签字")
    ELECTRONIC = "electronic", _("电子签名")


class TerminationReason(models.TextChoices):
    MOVED = "moved", _("迁出")
    DIED = "died", _("死亡")
    WISH = "wish", _("居民申请解约")
    CHANGED_TEAM = "changed_team", _("更换团队")
    RENEWED = "renewed", _("已续约")
    MERGED = "merged", _("档案合并")
    OTHER = "other", _("其他")


class Contract(models.Model):
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="fd_contracts")
    team = models.ForeignKey(Team, verbose_name=_("团队"), on_delete=models.PROTECT, related_name="contracts")
    doctor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任医生"), on_delete=models.PROTECT,
                               related_name="fd_contracts")
    institution = models.ForeignKey(Institution, verbose_name=_("签约机构"), on_delete=models.PROTECT,
                                    related_name="fd_contracts")
    packages = models.ManyToManyField(Package, verbose_name=_("服务包"), related_name="contracts")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=12, choices=ContractStatus.choices,
                              default=ContractStatus.ACTIVE, db_index=True)
    signature = models.CharField(_("签字方式"), max_length=12, choices=Signature.choices, default=Signature.PAPER)
    consent_by = models.CharField(_("同意人"), max_length=40, help_text=_("本人，或未成年人/无行为能力者的监护人"))
    consent_relation = models.CharField(_("同意人身份"), max_length=20, default="本人")
    out_of_area_reason = models.CharField(_("跨片区签约理由"), max_length=200, blank=True)
    fee_total = models.DecimalField(_("服务费合计"), max_digits=9, decimal_places=2, default=Decimal("0"))
    fee_insurance = models.DecimalField(_("医保基金"), max_digits=9, decimal_places=2, default=Decimal("0"))
    fee_public_health = models.DecimalField(_("公卫经费"), max_digits=9, decimal_places=2, default=Decimal("0"))
    fee_resident = models.DecimalField(_("个人自付"), max_digits=9, decimal_places=2, default=Decimal("0"))
    renewed_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_on = models.DateField(_("解约日期"), null=True, blank=True)
    end_reason = models.CharField(_("解约原因"), max_length=16, choices=TerminationReason.choices, blank=True)
    end_note = models.CharField(_("说明"), max_length=200, blank=True)
    card_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("签约")
        verbose_name_plural = _("签约")
        constraints = [
            # One team per resident at a time (国卫基层发〔2018〕35号): enforced by the database.
            models.UniqueConstraint(fields=["resident"], condition=Q(status="active"),
                                    name="fd_one_active_contract"),
        ]
        indexes = [models.Index(fields=["team", "status"], name="fd_contract_team_status")]

    def __str__(self) -> str:
        return f"{self.resident} · {self.team}"


class MergeRecord(models.Model):
    """What a resident merge moved in this app, for the undo."""

    merge_id = models.PositiveBigIntegerField(unique=True)
    moved = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"merge {self.merge_id}"
