"""Plain forms for the referral pages; the actions validate (the forms parse and offer choices)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Department, Institution, ReservedBed, User

from .actions import CLINICAL_ROLES
from .models import CatalogKind, FilingReason, GradeLevel, Reason, ReferralType


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def acting_institutions(user):
    from yigongti.org.access import can_act_for

    from .queries import member_institution_ids

    ids = [i for i in member_institution_ids(user) if can_act_for(user, i, CLINICAL_ROLES)]
    return Institution.objects.filter(pk__in=ids, active=True).order_by("tier", "code")


class ReferralForm(forms.Form):
    from_institution = forms.ModelChoiceField(label=_("转诊机构"), queryset=Institution.objects.none())
    from_department = forms.ModelChoiceField(label=_("转诊科室"), queryset=Department.objects.none(), required=False)
    to_institution = forms.ModelChoiceField(label=_("接诊机构"), queryset=Institution.objects.none())
    to_department = forms.ModelChoiceField(label=_("接诊科室"), queryset=Department.objects.none(), required=False)
    referral_type = forms.ChoiceField(label=_("转诊类型"), choices=ReferralType.choices)
    reason = forms.ChoiceField(label=_("转诊原因"), choices=[("", "—"), *Reason.choices])
    reason_detail = forms.CharField(label=_("转诊原因说明"), max_length=200, required=False)
    primary_diagnosis = forms.CharField(label=_("西医诊断（ICD-10）"), max_length=16,
                                        widget=forms.TextInput(attrs={"list": "icd-codes", "autocomplete": "off"}))
    other_diagnoses = forms.CharField(label=_("其他西医诊断（ICD-10，空格分隔）"), max_length=200, required=False)
    diagnosis_text = forms.CharField(label=_("诊断说明"), max_length=200, required=False)
    tcm_diagnosis = forms.CharField(label=_("中医诊断"), max_length=200, required=False)
    condition_summary = forms.CharField(label=_("病情介绍"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    history = forms.CharField(label=_("主要既往史"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    treatment_so_far = forms.CharField(label=_("治疗经过"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    treatment_advice = forms.CharField(label=_("后续治疗意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    doctor_opinion = forms.CharField(label=_("主诊医生意见"), max_length=200, required=False, initial="同意")
    justification = forms.CharField(label=_("上转理由（诊断在本级首诊病种目录内时必填）"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(label=_("患者或家属同意转诊"), required=False)
    consent_by = forms.CharField(label=_("签字人"), max_length=40, required=False)
    consent_relation = forms.CharField(label=_("与患者关系"), max_length=20, required=False, initial="本人")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        mine = acting_institutions(user)
        self.fields["from_institution"].queryset = mine
        self.fields["from_department"].queryset = Department.objects.filter(institution__in=mine)
        self.fields["to_institution"].queryset = Institution.objects.filter(active=True).exclude(
            kind__in=["cdc"]).order_by("tier", "code")
        self.fields["to_department"].queryset = Department.objects.filter(institution__active=True).select_related(
            "institution")

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["other_diagnoses"] = [c for c in (data.get("other_diagnoses") or "").replace(",", " ").split() if c]
        return data


class AcceptForm(forms.Form):
    doctor = forms.ModelChoiceField(label=_("接诊医生"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("接诊科室"), queryset=Department.objects.none(), required=False)
    appointment_at = forms.DateTimeField(label=_("预约时间"), required=False, widget=DateTimeInput(),
                                         input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    reserve_bed = forms.BooleanField(label=_("预留床位（绿色通道）"), required=False)
    bed = forms.ModelChoiceField(label=_("指定床位（不选则自动分配空闲床位）"), queryset=ReservedBed.objects.none(),
                                 required=False)
    note = forms.CharField(label=_("接收说明"), max_length=200, required=False)

    def __init__(self, *args, referral=None, free_beds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if referral is not None:
            inst = referral.to_institution_id
            self.fields["doctor"].queryset = User.objects.filter(
                memberships__institution_id=inst, memberships__roles__role__in=CLINICAL_ROLES).distinct().order_by(
                "full_name")
            self.fields["department"].queryset = Department.objects.filter(institution_id=inst)
            self.fields["bed"].queryset = free_beds if free_beds is not None else ReservedBed.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ApproveForm(forms.Form):
    opinion = forms.CharField(label=_("科主任意见"), max_length=200, required=False, initial="同意")


class ReturnForm(forms.Form):
    return_diagnosis = forms.CharField(label=_("诊断结果（ICD-10）"), max_length=16, required=False)
    return_diagnosis_text = forms.CharField(label=_("诊断结果说明"), max_length=200, required=False)
    inpatient_number = forms.CharField(label=_("住院病案号"), max_length=40, required=False)
    return_results = forms.CharField(label=_("主要检查结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    return_treatment = forms.CharField(label=_("治疗经过"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    return_plan = forms.CharField(label=_("下一步治疗方案及康复建议"), widget=forms.Textarea(attrs={"rows": 2}),
                                  required=False)


class FindForm(forms.Form):
    number = forms.CharField(label=_("转诊编号"), max_length=60, widget=forms.TextInput(attrs={
        "autofocus": True, "autocomplete": "off", "placeholder": _("输入或扫描转诊单上的编号/二维码")}))


class FilingForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("转出机构"), queryset=Institution.objects.none())
    destination = forms.CharField(label=_("转往医院"), max_length=100)
    destination_grade = forms.ChoiceField(label=_("转往医院等级"), choices=GradeLevel.choices[1:], initial="3")
    primary_diagnosis = forms.CharField(label=_("诊断（ICD-10）"), max_length=16)
    reason = forms.ChoiceField(label=_("转外原因"), choices=[("", "—"), *FilingReason.choices])
    reason_detail = forms.CharField(label=_("原因说明"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user)


class CatalogEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("目录"), choices=CatalogKind.choices)
    grade_level = forms.ChoiceField(label=_("医院等级"), choices=GradeLevel.choices, required=False)
    code = forms.CharField(label=_("ICD-10 编码或前缀"), max_length=16)
    name = forms.CharField(label=_("病种名称"), max_length=100)
