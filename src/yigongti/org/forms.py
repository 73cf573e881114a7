from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgeBand, Area, AreaLevel, Department, Institution, Role, Title


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["code", "name", "short_name", "tier", "kind", "grade", "insurance_code", "clinical_system",
                  "parent", "is_lead", "is_subcentre", "area", "service_areas", "address", "phone", "beds", "active"]
        widgets = {"service_areas": forms.SelectMultiple(attrs={"size": 8})}


class InstitutionDetailsForm(forms.ModelForm):
    """What an institution admin may change of their own institution."""

    class Meta:
        model = Institution
        fields = ["name", "short_name", "grade", "insurance_code", "clinical_system", "address", "phone", "beds"]


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]

    level = forms.ChoiceField(label=_("级别"), choices=AreaLevel.choices)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "is_tcm", "head"]


class BedForm(forms.Form):
    label = forms.CharField(label=_("床位号"), max_length=20)
    department = forms.ModelChoiceField(label=_("科室"), queryset=Department.objects.none(), required=False)


class StaffForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=40)
    phone = forms.RegexField(label=_("手机号"), regex=r"^1\d{10}$", required=False,
                             error_messages={"invalid": _("手机号应为11位数字，以1开头")})
    title = forms.ChoiceField(label=_("职称"), choices=Title.choices, required=False)
    title_name = forms.CharField(label=_("职称名称"), max_length=40, required=False)
    department = forms.ModelChoiceField(label=_("科室"), queryset=Department.objects.none(), required=False)
    roles = forms.MultipleChoiceField(label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=10)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("新的初始密码"), widget=forms.PasswordInput, min_length=10,
                               help_text=_("对方下次登录时须修改此密码"))


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
                                      required=False)


class DenominatorForm(forms.Form):
    sex = forms.ChoiceField(choices=[("1", _("男")), ("2", _("女"))])
    age_band = forms.ChoiceField(choices=AgeBand.choices)
    resident = forms.IntegerField(label=_("常住人口"), min_value=0)
    registered = forms.IntegerField(label=_("户籍人口"), min_value=0)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件 (.xlsx)"))
