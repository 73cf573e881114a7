from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution


class BudgetYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    gross_fund = forms.CharField(label=_("医保基金总额（元）"), max_length=20)
    insured = forms.IntegerField(label=_("参保人数"), min_value=0, required=False,
                                 help_text=_("不填则取人口数据中的参保人数（职工＋城乡居民）"))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("结算文件（XLSX 或 CSV）"))


class PublicHealthFundForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    total = forms.CharField(label=_("经费总额（元）"), max_length=20)


class ComputeSheetForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())
    month = forms.CharField(label=_("月份"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions if institutions is not None else Institution.objects.none()


class AdjustForm(forms.Form):
    adjustment = forms.DecimalField(label=_("审核调整（工分）"), max_digits=9, decimal_places=2)
    note = forms.CharField(label=_("调整说明"), max_length=200, required=False)


class ExpenseForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())
    spent_on = forms.DateField(label=_("支出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.CharField(label=_("类别"), max_length=40)
    description = forms.CharField(label=_("事由"), max_length=200)
    amount = forms.CharField(label=_("金额（元）"), max_length=20)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions if institutions is not None else Institution.objects.none()


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)
