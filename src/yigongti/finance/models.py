"""医保基金与绩效 (issue 15): budget years, insurance settlements, public-health funds, work points, expenses.

The rules (deductions, schedule, surplus and over-spend splits, fund splits, point values) are data: JSON in
the shape of ``rules.budget.rule_to_data`` / ``parts_to_data``, computed by the pure functions in
``rules/budget.py`` and ``rules/workpoints.py``. Money is Decimal yuan.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution


class Scheme(models.TextChoices):
    EMPLOYEE = "employee", _("城镇职工基本医疗保险")
    RESIDENT = "resident", _("城乡居民基本医疗保险")


class Care(models.TextChoices):
    INPATIENT = "inpatient", _("住院")
    OUTPATIENT = "outpatient", _("门诊")
    PHARMACY = "pharmacy", _("定点药店")


class BudgetStatus(models.TextChoices):
    OPEN = "open", _("执行中")
    SETTLED = "settled", _("已年终清算")


class BudgetYear(models.Model):
    """The year's insurance global budget (医保总额付费): the gross fund, the insured population (from the
    denominators, org.AreaYearFigures) and the county's rule; after year end, the settlement."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    gross_fund = models.DecimalField(_("医保基金总额（元）"), max_digits=14, decimal_places=2)
    insured = models.PositiveIntegerField(_("参保人数"), default=0)
    rule = models.JSONField(_("总额付费规则"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.OPEN)
    # Year-end settlement (filled by finance.actions.settle_year).
    spent = models.DecimalField(_("年度支出（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    settlement = models.JSONField(_("清算结果"), default=dict, blank=True)
    settled_at = models.DateTimeField(_("清算时间"), null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("医保总额预算年度")
        verbose_name_plural = _("医保总额预算年度")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(gross_fund__gte=0), name="finance_budget_gross_not_negative")]

    def __str__(self) -> str:
        return str(self.year)


class Settlement(models.Model):
    """One line of the insurance settlement system's export (the system of record for spend): per month,
    scheme, kind of care and institution — an institution of the consortium, or an institution named in
    the file (in-county private institutions, out-of-county hospitals)."""

    month = models.DateField(_("结算月份"), help_text=_("当月1日"))
    scheme = models.CharField(_("险种"), max_length=10, choices=Scheme.choices)
    care = models.CharField(_("类别"), max_length=12, choices=Care.choices)
    in_county = models.BooleanField(_("县域内"))
    institution = models.ForeignKey(Institution, verbose_name=_("医共体机构"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="settlements")
    provider_code = models.CharField(_("定点机构编码"), max_length=32, blank=True)
    provider_name = models.CharField(_("定点机构名称"), max_length=100, blank=True)
    cases = models.PositiveIntegerField(_("结算人次"), default=0)
    persons = models.PositiveIntegerField(_("结算人数"), default=0)
    total_cost = models.DecimalField(_("医疗总费用（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    fund_paid = models.DecimalField(_("基金支付（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("医保结算")
        verbose_name_plural = _("医保结算")
        ordering = ["month", "provider_code"]
        constraints = [
            models.UniqueConstraint(fields=["month", "scheme", "care", "provider_code"],
                                    name="finance_settlement_line_unique"),
            models.CheckConstraint(condition=Q(total_cost__gte=0) & Q(fund_paid__gte=0),
                                   name="finance_settlement_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "in_county"], name="finance_settlement_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.provider_name or self.provider_code}"


class PublicHealthFund(models.Model):
    """Basic public-health service funds for a period, split by the county's shares (seed 000: 40 % village
    clinics; 60 % of which half operating costs, half performance) and allocated to village clinics by the
    services delivered in the period (people.services.delivered)."""

    name = models.CharField(_("名称"), max_length=60)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    total = models.DecimalField(_("经费总额（元）"), max_digits=14, decimal_places=2)
    split = models.JSONField(_("分配比例"), default=list)
    allocation = models.JSONField(_("分配结果"), default=dict, blank=True)
    allocated_at = models.DateTimeField(_("分配时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("公共卫生经费")
        verbose_name_plural = _("公共卫生经费")
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="finance_phfund_not_negative")]

    def __str__(self) -> str:
        return self.name


class PointValue(models.Model):
    """Points earned by one service of a kind (a county setting)."""

    kind = models.CharField(_("服务项目"), max_length=24, unique=True)
    value = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("工分分值")
        verbose_name_plural = _("工分分值")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    REVIEWED = "reviewed", _("已审核")
    APPROVED = "approved", _("已批准")


class PointSheet(models.Model):
    """An institution's work points for one month: computed from what the platform recorded, reviewed, then
    approved by the institution; approved sheets are exported for payroll."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="point_sheets")
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    status = models.CharField(_("状态"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工分表")
        verbose_name_plural = _("工分表")
        ordering = ["-month", "institution"]
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="finance_point_sheet_unique")]

    def __str__(self) -> str:
        return f"{self.institution} {self.month:%Y-%m}"


class PointLine(models.Model):
    sheet = models.ForeignKey(PointSheet, on_delete=models.CASCADE, related_name="lines")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT,
                             related_name="+")
    counts = models.JSONField(_("服务数量"), default=dict)
    rates = models.JSONField(_("质量指标"), default=dict)
    base = models.DecimalField(_("基础工分"), max_digits=10, decimal_places=2, default=Decimal("0"))
    factor = models.DecimalField(_("质量系数"), max_digits=5, decimal_places=2, default=Decimal("1"))
    adjustment = models.DecimalField(_("审核调整"), max_digits=10, decimal_places=2, default=Decimal("0"))
    adjustment_note = models.CharField(_("调整说明"), max_length=200, blank=True)
    total = models.DecimalField(_("合计工分"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("工分明细")
        verbose_name_plural = _("工分明细")
        ordering = ["sheet", "-total"]
        constraints = [models.UniqueConstraint(fields=["sheet", "user"], name="finance_point_line_unique")]

    def __str__(self) -> str:
        return f"{self.sheet} {self.user}"


class ExpenseStatus(models.TextChoices):
    RECORDED = "recorded", _("已登记")
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class Expense(models.Model):
    """An institution's expenditure; at or above the threshold (seed 003: 10,000 yuan) it waits for the
    consortium finance director's online approval."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="expenses")
    spent_on = models.DateField(_("支出日期"))
    category = models.CharField(_("类别"), max_length=40)
    description = models.CharField(_("事由"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=ExpenseStatus.choices, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_expense_positive")]

    def __str__(self) -> str:
        return f"{self.institution} {self.amount}"
