"""Plain forms of the pharmacy pages: they parse input; the rules live in actions.py."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AntibioticLevel, ControlledClass, Drug, DrugCategory, InvoiceKind, ItemKind, ReviewResult

LINE_ROWS = 5


class DrugForm(forms.Form):
    code = forms.CharField(label=_("目录编码"), max_length=32)
    kind = forms.ChoiceField(label=_("类别"), choices=ItemKind.choices)
    generic_name = forms.CharField(label=_("通用名"), max_length=100)
    trade_name = forms.CharField(label=_("商品名"), max_length=100, required=False)
    dosage_form = forms.CharField(label=_("剂型"), max_length=40, required=False)
    strength = forms.CharField(label=_("规格"), max_length=60, required=False)
    pack = forms.CharField(label=_("包装"), max_length=60, required=False)
    unit = forms.CharField(label=_("发药单位"), max_length=10, initial="盒")
    manufacturer = forms.CharField(label=_("生产企业"), max_length=100, required=False)
    approval_number = forms.CharField(label=_("批准文号"), max_length=40, required=False)
    insurance_code = forms.CharField(label=_("国家医保编码"), max_length=40, required=False)
    insurance_category = forms.ChoiceField(label=_("医保类别"), choices=DrugCategory.choices, required=False)
    essential = forms.BooleanField(label=_("国家基本药物"), required=False)
    centrally_procured = forms.BooleanField(label=_("集采中选"), required=False)
    antibiotic_level = forms.ChoiceField(label=_("抗菌药物分级"), choices=AntibioticLevel.choices, required=False)
    controlled_class = forms.ChoiceField(label=_("特殊管理类别"), choices=ControlledClass.choices, required=False)
    list_price = forms.DecimalField(label=_("挂网价（元）"), max_digits=10, decimal_places=4, min_value=0)
    reference_price = forms.DecimalField(label=_("集采前参考价（元）"), max_digits=10, decimal_places=4, min_value=0,
                                         required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    tier_county = forms.BooleanField(label=_("县级目录"), required=False, initial=True)
    tier_township = forms.BooleanField(label=_("乡级目录"), required=False, initial=True)
    tier_village = forms.BooleanField(label=_("村级目录"), required=False)


class ReceiveForm(forms.Form):
    drug = forms.ModelChoiceField(label=_("药品"), queryset=Drug.objects.filter(active=True))
    batch_no = forms.CharField(label=_("批号"), max_length=40)
    expiry = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=10_000_000)
    unit_cost = forms.DecimalField(label=_("进价（元）"), max_digits=10, decimal_places=4, min_value=0, required=False)
    reference = forms.CharField(label=_("关联单据"), max_length=60, required=False)


class LinesMixin:
    """LINE_ROWS rows of drug + quantity (+ dosage) fields: ``drug_0``, ``quantity_0``, ``dosage_0`` …"""

    with_dosage = False

    def add_lines(self, drugs):
        for i in range(LINE_ROWS):
            self.fields[f"drug_{i}"] = forms.ModelChoiceField(label=_("药品"), queryset=drugs, required=False)
            self.fields[f"quantity_{i}"] = forms.IntegerField(label=_("数量"), min_value=1, max_value=100000,
                                                              required=False)
            if self.with_dosage:
                self.fields[f"dosage_{i}"] = forms.CharField(label=_("用法用量"), max_length=100, required=False)

    def line_rows(self):
        return [[self[f"drug_{i}"], self[f"quantity_{i}"], *([self[f"dosage_{i}"]] if self.with_dosage else [])]
                for i in range(LINE_ROWS)]

    def lines(self) -> list[dict]:
        out = []
        for i in range(LINE_ROWS):
            drug = self.cleaned_data.get(f"drug_{i}")
            if drug is None:
                continue
            out.append({"drug": drug, "quantity": self.cleaned_data.get(f"quantity_{i}"),
                        "dosage": self.cleaned_data.get(f"dosage_{i}", "")})
        return out


class PrescriptionForm(LinesMixin, forms.Form):
    with_dosage = True
    long_term = forms.BooleanField(label=_("长期处方（病情稳定的慢性病患者，最长12周）"), required=False)
    days = forms.IntegerField(label=_("用药天数"), min_value=1, max_value=366)

    def __init__(self, *args, drugs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_lines(drugs if drugs is not None else Drug.objects.filter(active=True))


class ReplenishmentForm(LinesMixin, forms.Form):
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, drugs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_lines(drugs if drugs is not None else Drug.objects.filter(active=True))


class ReviewForm(forms.Form):
    result = forms.ChoiceField(label=_("审核结果"), choices=[(ReviewResult.PASS, _("合理")),
                                                          (ReviewResult.FAIL, _("不合理"))])
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class MissingForm(forms.Form):
    drug = forms.ModelChoiceField(label=_("药品（目录内）"), queryset=Drug.objects.filter(active=True), required=False)
    drug_text = forms.CharField(label=_("药品名称（目录外）"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100000, initial=1)
    resident = forms.IntegerField(label=_("居民档案ID"), required=False, widget=forms.HiddenInput)


class CabinetForm(forms.Form):
    drug = forms.ModelChoiceField(label=_("药品"), queryset=Drug.objects.filter(active=True, tiers__tier="village",
                                                                            tiers__may_stock=True))
    price = forms.DecimalField(label=_("零差率售价（元）"), max_digits=10, decimal_places=4, min_value=0, required=False)
    min_quantity = forms.IntegerField(label=_("库存下限"), min_value=0, required=False)
    in_cabinet = forms.BooleanField(label=_("列入药柜"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("目录文件（XLSX 或 CSV）"))


class PlanForm(LinesMixin, forms.Form):
    """A member's monthly purchase plan (采购计划): institution, month and drug lines."""

    institution = forms.ModelChoiceField(label=_("机构"), queryset=None)
    period = forms.CharField(label=_("计划月份"), max_length=7, help_text=_("如 2026-12"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, institutions=None, drugs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.add_lines(drugs if drugs is not None else Drug.objects.filter(active=True))


class DeliveryForm(forms.Form):
    """到货验收: for each outstanding order line, the quantity arrived with its batch and expiry."""

    delivered_on = forms.DateField(label=_("到货日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, order_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(order_lines)
        for ol in self.order_lines:
            self.fields[f"quantity_{ol.pk}"] = forms.IntegerField(label=_("到货数量"), min_value=1,
                                                                  max_value=10_000_000, required=False)
            self.fields[f"batch_no_{ol.pk}"] = forms.CharField(label=_("批号"), max_length=40, required=False)
            self.fields[f"expiry_{ol.pk}"] = forms.DateField(label=_("有效期至"), required=False,
                                                              widget=forms.DateInput(attrs={"type": "date"}))

    def rows(self):
        return [{"line": ol, "outstanding": ol.quantity - ol.received,
                 "fields": [self[f"quantity_{ol.pk}"], self[f"batch_no_{ol.pk}"], self[f"expiry_{ol.pk}"]]}
                for ol in self.order_lines]

    def lines(self) -> list[dict]:
        out = []
        for ol in self.order_lines:
            n = self.cleaned_data.get(f"quantity_{ol.pk}")
            if n:
                out.append({"order_line": ol, "quantity": n, "batch_no": self.cleaned_data.get(f"batch_no_{ol.pk}"),
                            "expiry": self.cleaned_data.get(f"expiry_{ol.pk}")})
        return out


class InvoiceForm(forms.Form):
    """两票制: the first (manufacturer → distributor) and second (distributor → us) invoice of an order."""

    kind = forms.ChoiceField(label=_("票据类型"), choices=InvoiceKind.choices)
    number = forms.CharField(label=_("发票号"), max_length=40)
    issuer = forms.CharField(label=_("开票方"), max_length=100)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0)
    issued_on = forms.DateField(label=_("开票日期"), widget=forms.DateInput(attrs={"type": "date"}))
