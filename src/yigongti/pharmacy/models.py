"""药械统一: the consortium formulary, tier catalog, batch stock with its ledger, village cabinets and
replenishment, prescriptions and dispensing, purchasing records and missing-drug registrations (issue 14)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution, Tier
from yigongti.people.models import Encounter, Resident


class ItemKind(models.TextChoices):
    DRUG = "drug", _("药品")
    CONSUMABLE = "consumable", _("医用耗材")


class DrugCategory(models.TextChoices):
    """医保药品目录 甲/乙类."""

    NONE = "", _("目录外")
    A = "A", _("甲类")
    B = "B", _("乙类")


class AntibioticLevel(models.TextChoices):
    NONE = "", _("非抗菌药物")
    UNRESTRICTED = "unrestricted", _("非限制使用级")
    RESTRICTED = "restricted", _("限制使用级")
    SPECIAL = "special", _("特殊使用级")


class ControlledClass(models.TextChoices):
    NONE = "", _("非特殊管理药品")
    NARCOTIC = "narcotic", _("麻醉药品")
    PSYCHOTROPIC_1 = "psychotropic_1", _("第一类精神药品")
    PSYCHOTROPIC_2 = "psychotropic_2", _("第二类精神药品")
    TOXIC = "toxic", _("医疗用毒性药品")
    RADIOACTIVE = "radioactive", _("放射性药品")
    PRECURSOR = "precursor", _("药品类易制毒化学品")


class Drug(models.Model):
    """One item of the consortium's single catalog (县乡村一个目录)."""

    code = models.CharField(_("目录编码"), max_length=32, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=ItemKind.choices, default=ItemKind.DRUG)
    generic_name = models.CharField(_("通用名"), max_length=100, db_index=True)
    trade_name = models.CharField(_("商品名"), max_length=100, blank=True)
    dosage_form = models.CharField(_("剂型"), max_length=40, blank=True)
    strength = models.CharField(_("规格"), max_length=60, blank=True)
    pack = models.CharField(_("包装"), max_length=60, blank=True, help_text=_("如 7片/盒"))
    unit = models.CharField(_("发药单位"), max_length=10, default="盒")
    manufacturer = models.CharField(_("生产企业"), max_length=100, blank=True)
    approval_number = models.CharField(_("批准文号"), max_length=40, blank=True)
    insurance_code = models.CharField(_("国家医保编码"), max_length=40, blank=True, db_index=True)
    insurance_category = models.CharField(_("医保类别"), max_length=1, choices=DrugCategory.choices, blank=True,
                                          default="")
    essential = models.BooleanField(_("国家基本药物"), default=False)
    centrally_procured = models.BooleanField(_("集采中选"), default=False)
    antibiotic_level = models.CharField(_("抗菌药物分级"), max_length=14, choices=AntibioticLevel.choices,
                                        blank=True, default="")
    controlled_class = models.CharField(_("特殊管理类别"), max_length=16, choices=ControlledClass.choices,
                                        blank=True, default="")
    list_price = models.DecimalField(_("挂网价（元）"), max_digits=10, decimal_places=4, default=0,
                                     help_text=_("省平台采购价；基层零差率销售"))
    reference_price = models.DecimalField(_("集采前参考价（元）"), max_digits=10, decimal_places=4, null=True,
                                          blank=True, help_text=_("用于计算集采节约金额"))
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("药品耗材")
        verbose_name_plural = _("药品耗材")
        ordering = ["generic_name", "code"]
        constraints = [models.CheckConstraint(condition=Q(list_price__gte=0), name="drug_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.generic_name} {self.strength}".strip()


class TierCatalogEntry(models.Model):
    """What each tier may stock and prescribe (分级用药目录)."""

    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices)
    may_stock = models.BooleanField(_("可配备"), default=True)
    may_prescribe = models.BooleanField(_("可处方"), default=True)

    class Meta:
        verbose_name = _("分级用药目录")
        verbose_name_plural = _("分级用药目录")
        constraints = [models.UniqueConstraint(fields=["drug", "tier"], name="tier_catalog_unique")]

    def __str__(self) -> str:
        return f"{self.drug} {self.tier}"


class StockItem(models.Model):
    """An institution's setting for one item: low-stock threshold; for village cabinets (便民小药柜) the list
    and zero-markup price managed by the consortium."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.CASCADE,
                                    related_name="stock_items")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="stock_items")
    min_quantity = models.PositiveIntegerField(_("库存下限"), default=0)
    in_cabinet = models.BooleanField(_("列入村卫生室药柜"), default=False)
    price = models.DecimalField(_("零差率售价（元）"), max_digits=10, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("库存品种设置")
        verbose_name_plural = _("库存品种设置")
        constraints = [
            models.UniqueConstraint(fields=["institution", "drug"], name="stock_item_unique"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gte=0), name="stock_item_price_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.drug}"


class StockBatch(models.Model):
    """The balance of one batch of one item at one institution. Contested: taken with a conditional UPDATE
    (and select_for_update in (expiry, id) order on PostgreSQL), never below zero (CHECK)."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="stock_batches")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="batches")
    batch_no = models.CharField(_("批号"), max_length=40)
    expiry = models.DateField(_("有效期至"))
    quantity = models.IntegerField(_("结存数量"), default=0)
    unit_cost = models.DecimalField(_("进价（元）"), max_digits=10, decimal_places=4, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("批次库存")
        verbose_name_plural = _("批次库存")
        ordering = ["expiry", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "drug", "batch_no"], name="stock_batch_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_batch_quantity_not_negative"),
        ]
        indexes = [models.Index(fields=["institution", "drug", "expiry"], name="stock_batch_fefo_idx")]

    def __str__(self) -> str:
        return f"{self.drug} {self.batch_no}"


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("采购入库")
    TRANSFER_OUT = "transfer_out", _("调拨出库")
    TRANSFER_IN = "transfer_in", _("调拨入库")
    DISPENSE = "dispense", _("处方发药")
    RETURN = "return", _("退药")
    ADJUSTMENT = "adjustment", _("调整")
    SCRAP = "scrap", _("报损")
    STOCKTAKE = "stocktake", _("盘点")


class StockMove(models.Model):
    """The ledger: one row per movement of one batch; ``quantity`` is signed (+ in, − out)."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="stock_moves")
    batch = models.ForeignKey(StockBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="moves")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("类型"), max_length=14, choices=MoveKind.choices)
    quantity = models.IntegerField(_("数量"))
    balance_after = models.IntegerField(_("批次结存"))
    unit_cost = models.DecimalField(_("进价（元）"), max_digits=10, decimal_places=4, default=0)
    counterpart = models.ForeignKey(Institution, verbose_name=_("对方机构"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("关联单据"), max_length=60, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    occurred_on = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("库存流水")
        verbose_name_plural = _("库存流水")
        ordering = ["-id"]
        indexes = [models.Index(fields=["institution", "occurred_on"], name="stock_move_inst_date_idx"),
                   models.Index(fields=["kind", "occurred_on"], name="stock_move_kind_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.batch} {self.quantity}"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    FULFILLED = "fulfilled", _("已配送")
    CANCELLED = "cancelled", _("已取消")


class Replenishment(models.Model):
    """A village clinic's request to its township central pharmacy (中心药库统一配送)."""

    number = models.CharField(_("单号"), max_length=24, unique=True)
    requester = models.ForeignKey(Institution, verbose_name=_("申请机构"), on_delete=models.PROTECT,
                                  related_name="replenishments_requested")
    supplier = models.ForeignKey(Institution, verbose_name=_("中心药库"), on_delete=models.PROTECT,
                                 related_name="replenishments_to_fulfil")
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("请领单")
        verbose_name_plural = _("请领单")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number


class ReplenishmentLine(models.Model):
    request = models.ForeignKey(Replenishment, on_delete=models.CASCADE, related_name="lines")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("申请数量"))
    supplied = models.PositiveIntegerField(_("配送数量"), default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="replenishment_line_positive")]

    def __str__(self) -> str:
        return f"{self.drug} ×{self.quantity}"


class RxStatus(models.TextChoices):
    ISSUED = "issued", _("已开具")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核不通过")
    DISPENSED = "dispensed", _("已发药")
    CANCELLED = "cancelled", _("已作废")


class ReviewResult(models.TextChoices):
    NONE = "", _("未审核")
    PASS = "pass", _("合理")
    FAIL = "fail", _("不合理")


class Prescription(models.Model):
    number = models.CharField(_("处方号"), max_length=24, unique=True)
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="prescriptions")
    encounter = models.ForeignKey(Encounter, verbose_name=_("就诊记录"), on_delete=models.PROTECT,
                                  related_name="prescriptions")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="prescriptions")
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("开方医生"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    long_term = models.BooleanField(_("长期处方"), default=False)
    days = models.PositiveSmallIntegerField(_("用药天数"))
    diagnosis = models.CharField(_("诊断"), max_length=16, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RxStatus.choices, default=RxStatus.ISSUED)
    review = models.CharField(_("审核结果"), max_length=4, choices=ReviewResult.choices, blank=True, default="")
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    sampled = models.BooleanField(_("抽查"), default=False)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=0)
    issued_on = models.DateField(_("开具日期"))
    dispensed_at = models.DateTimeField(_("发药时间"), null=True, blank=True)
    dispensed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("处方")
        verbose_name_plural = _("处方")
        ordering = ["-id"]
        indexes = [models.Index(fields=["institution", "issued_on"], name="rx_inst_date_idx"),
                   models.Index(fields=["resident", "issued_on"], name="rx_resident_date_idx")]

    def __str__(self) -> str:
        return self.number


class PrescriptionLine(models.Model):
    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="lines")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="+")
    dosage = models.CharField(_("用法用量"), max_length=100, blank=True, help_text=_("如 每次1片 每日1次 口服"))
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=4, default=0)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="rx_line_positive")]

    def __str__(self) -> str:
        return f"{self.drug} ×{self.quantity}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    APPROVED = "approved", _("已审批")
    REJECTED = "rejected", _("已退回")


class PurchasePlan(models.Model):
    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="purchase_plans")
    period = models.CharField(_("计划期间"), max_length=7, help_text=_("如 2026-12"))
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("采购计划")
        verbose_name_plural = _("采购计划")
        ordering = ["-period", "institution"]
        constraints = [models.UniqueConstraint(fields=["institution", "period"], name="purchase_plan_unique")]

    def __str__(self) -> str:
        return f"{self.institution} {self.period}"


class PurchasePlanLine(models.Model):
    plan = models.ForeignKey(PurchasePlan, on_delete=models.CASCADE, related_name="lines")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("计划数量"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "drug"], name="plan_line_unique")]

    def __str__(self) -> str:
        return f"{self.drug} ×{self.quantity}"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("已下单")
    PARTIAL = "partial", _("部分到货")
    RECEIVED = "received", _("已到货")


class PurchaseOrder(models.Model):
    """An order placed on the provincial procurement platform (outside this system), recorded here."""

    number = models.CharField(_("订单号"), max_length=40, unique=True)
    institution = models.ForeignKey(Institution, verbose_name=_("采购机构"), on_delete=models.PROTECT,
                                    related_name="purchase_orders")
    supplier = models.CharField(_("配送企业"), max_length=100)
    on_platform = models.BooleanField(_("省平台网上采购"), default=True)
    ordered_on = models.DateField(_("下单日期"))
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    period = models.CharField(_("计划期间"), max_length=7, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("采购订单")
        verbose_name_plural = _("采购订单")
        ordering = ["-ordered_on", "-id"]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("订购数量"))
    unit_price = models.DecimalField(_("挂网价（元）"), max_digits=10, decimal_places=4)
    received = models.PositiveIntegerField(_("已到货"), default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="po_line_positive")]

    def __str__(self) -> str:
        return f"{self.drug} ×{self.quantity}"


class Delivery(models.Model):
    order = models.ForeignKey(PurchaseOrder, verbose_name=_("订单"), on_delete=models.PROTECT,
                              related_name="deliveries")
    delivered_on = models.DateField(_("到货日期"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("到货验收")
        verbose_name_plural = _("到货验收")

    def __str__(self) -> str:
        return f"{self.order} {self.delivered_on}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    batch = models.ForeignKey(StockBatch, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))

    def __str__(self) -> str:
        return f"{self.order_line} {self.quantity}"


class InvoiceKind(models.TextChoices):
    FIRST = "first", _("第一票（生产企业→配送企业）")
    SECOND = "second", _("第二票（配送企业→医疗机构）")


class Invoice(models.Model):
    """两票制: the two invoices of each order are kept for the audit trail."""

    order = models.ForeignKey(PurchaseOrder, verbose_name=_("订单"), on_delete=models.PROTECT,
                              related_name="invoices")
    kind = models.CharField(_("票据类型"), max_length=6, choices=InvoiceKind.choices)
    number = models.CharField(_("发票号"), max_length=40)
    issuer = models.CharField(_("开票方"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    issued_on = models.DateField(_("开票日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        constraints = [models.UniqueConstraint(fields=["order", "kind", "number"], name="invoice_unique"),
                       models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_ok")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class MissingStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    SUPPLIED = "supplied", _("已供应")


class MissingDrug(models.Model):
    """基层缺药登记: a drug a resident needs that the village lacks."""

    institution = models.ForeignKey(Institution, verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="missing_drugs")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drug = models.ForeignKey(Drug, verbose_name=_("药品"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    drug_text = models.CharField(_("药品名称"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=MissingStatus.choices, default=MissingStatus.OPEN)
    supplied_via = models.CharField(_("供应方式"), max_length=60, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    supplied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("缺药登记")
        verbose_name_plural = _("缺药登记")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.institution} {self.drug_text}"


class DispensingCostSource(models.Model):
    """From ``since`` on, the drug cost of this institution's platform encounters comes only from dispensing
    (design "Who owns which data"; issue 14 item 5): a typed drug cost is refused. Encounters before the
    switch keep what was typed or imported; switching off lets typing resume. One row per institution."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="dispensing_cost_source",
                                       verbose_name=_("机构"))
    since = models.DateField(_("发药计费起始日期"))
    switched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    switched_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("药品费来源")

    def __str__(self) -> str:
        return f"{self.institution} ≥ {self.since}"
