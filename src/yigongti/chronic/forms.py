"""Page forms. The follow-up page is the national form's common part (FollowupForm) plus the programme's own
fields (``programmes.ProgrammeDef.details_form`` with prefix "details"); validation is the action's."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import institution_ids
from yigongti.org.models import Institution

from . import labels, programmes
from .models import CallOutcome, LeaveReason, Mode, Programme

ADHERENCE_CHOICES = [("", "—"), ("regular", _("规律")), ("intermittent", _("间断")), ("not_taking", _("不服药"))]
SALT_CHOICES = [("", "—"), ("light", _("轻")), ("moderate", _("中")), ("heavy", _("重"))]
COMPLIANCE_CHOICES = [("", "—"), ("good", _("良好")), ("fair", _("一般")), ("poor", _("差"))]
MED_ROWS = 3
LIFESTYLE = ("smoke", "drink", "exercise", "salt")


def acting_institutions(user):
    return Institution.objects.filter(pk__in=institution_ids(user), active=True).order_by("tier", "code")


class FollowupForm(forms.Form):
    visit_date = forms.DateField(label=_("随访日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    mode = forms.ChoiceField(label=_("随访方式"), choices=Mode.choices, widget=forms.RadioSelect)
    institution = forms.ModelChoiceField(label=_("随访机构"), queryset=Institution.objects.none())
    symptoms = forms.MultipleChoiceField(label=_("症状"), required=False, widget=forms.CheckboxSelectMultiple)
    symptoms_other = forms.CharField(label=_("其他症状"), required=False, max_length=200)
    systolic = forms.IntegerField(label=_("收缩压(mmHg)"), required=False,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    diastolic = forms.IntegerField(label=_("舒张压(mmHg)"), required=False,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    heart_rate = forms.IntegerField(label=_("心率(次/分)"), required=False,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    fasting_glucose = forms.DecimalField(label=_("空腹血糖(mmol/L)"), required=False, decimal_places=1,
                                         widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}))
    weight = forms.DecimalField(label=_("体重(kg)"), required=False, decimal_places=1)
    weight_target = forms.DecimalField(label=_("目标体重(kg)"), required=False, decimal_places=1)
    smoke_now = forms.IntegerField(label=_("日吸烟量(支)"), required=False, min_value=0, max_value=200)
    smoke_target = forms.IntegerField(label=_("目标日吸烟量(支)"), required=False, min_value=0, max_value=200)
    drink_now = forms.IntegerField(label=_("日饮酒量(两)"), required=False, min_value=0, max_value=50)
    drink_target = forms.IntegerField(label=_("目标日饮酒量(两)"), required=False, min_value=0, max_value=50)
    exercise_now = forms.CharField(label=_("运动(次/周 分钟/次)"), required=False, max_length=30)
    exercise_target = forms.CharField(label=_("目标运动"), required=False, max_length=30)
    salt_now = forms.ChoiceField(label=_("摄盐情况"), required=False, choices=SALT_CHOICES)
    salt_target = forms.ChoiceField(label=_("目标摄盐"), required=False, choices=SALT_CHOICES)
    compliance = forms.ChoiceField(label=_("遵医行为"), required=False, choices=COMPLIANCE_CHOICES)
    adherence = forms.ChoiceField(label=_("服药依从性"), required=False, choices=ADHERENCE_CHOICES)
    adverse_reaction = forms.BooleanField(label=_("药物不良反应"), required=False)
    adverse_reaction_note = forms.CharField(label=_("不良反应说明"), required=False, max_length=200)
    override_classification = forms.ChoiceField(label=_("修改此次随访分类"), required=False)
    override_reason = forms.CharField(label=_("修改分类的理由"), required=False, max_length=200)
    referral_to = forms.CharField(label=_("转诊机构及科别"), required=False, max_length=120)
    referral_reason = forms.CharField(label=_("转诊原因"), required=False, max_length=200)
    home_visit_at = forms.DateTimeField(label=_("入户时间"), required=False,
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    location = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    signature_png = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, programme: programmes.ProgrammeDef, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["institution"].queryset = acting_institutions(user)
        symptom_codes = list(programme.symptoms.values()) + list(getattr(programme.rules, "EMERGENCY_SYMPTOMS", ()))
        self.fields["symptoms"].choices = [(c, labels.SYMPTOMS.get(c, c)) for c in dict.fromkeys(symptom_codes)]
        if not symptom_codes:
            del self.fields["symptoms"]
        self.fields["override_classification"].choices = [("", _("按规则"))] + [
            (c, labels.CLASSIFICATIONS.get(c, c)) for c in getattr(programme.rules, "CLASSIFICATIONS", ())]
        for i in range(MED_ROWS):
            self.fields[f"med_drug_{i}"] = forms.CharField(label=_("药物名称"), required=False, max_length=60)
            self.fields[f"med_times_{i}"] = forms.CharField(label=_("每日次数"), required=False, max_length=20)
            self.fields[f"med_dose_{i}"] = forms.CharField(label=_("每次剂量"), required=False, max_length=30)

    def med_rows(self):
        return [(self[f"med_drug_{i}"], self[f"med_times_{i}"], self[f"med_dose_{i}"]) for i in range(MED_ROWS)]

    def action_data(self, details: dict) -> dict:
        """What record_followup takes, from the cleaned form."""
        c = self.cleaned_data
        data = {k: c.get(k) for k in ("visit_date", "mode", "symptoms", "symptoms_other", "systolic", "diastolic",
                                      "heart_rate", "fasting_glucose", "weight", "weight_target", "adherence",
                                      "adverse_reaction", "adverse_reaction_note", "referral_to", "referral_reason",
                                      "home_visit_at", "location", "signature_png", "override_classification",
                                      "override_reason")}
        data["lifestyle"] = {k: c.get(k) for k in ("smoke_now", "smoke_target", "drink_now", "drink_target",
                                                   "exercise_now", "exercise_target", "salt_now", "salt_target",
                                                   "compliance") if c.get(k) not in (None, "")}
        data["medications"] = [{"drug": c[f"med_drug_{i}"], "times": c.get(f"med_times_{i}", ""),
                                "dose": c.get(f"med_dose_{i}", "")} for i in range(MED_ROWS) if c.get(f"med_drug_{i}")]
        data["details"] = details
        if data.get("home_visit_at") and timezone.is_naive(data["home_visit_at"]):
            data["home_visit_at"] = timezone.make_aware(data["home_visit_at"])
        return {k: v for k, v in data.items() if v is not None}


def initial_from(previous, today) -> dict:
    """Prefill from the previous visit (medications, lifestyle targets, weight), today's date, clinic mode."""
    initial = {"visit_date": today, "mode": Mode.CLINIC}
    if previous is None:
        return initial
    for name in ("weight", "weight_target", "adherence"):
        initial[name] = getattr(previous, name)
    for k, v in (previous.lifestyle or {}).items():
        initial[k] = v
    for i, med in enumerate((previous.medications or [])[:MED_ROWS]):
        initial[f"med_drug_{i}"], initial[f"med_times_{i}"], initial[f"med_dose_{i}"] = (
            med.get("drug", ""), med.get("times", ""), med.get("dose", ""))
    initial["institution"] = previous.institution_id
    return initial


class EnrolForm(forms.Form):
    programme = forms.ChoiceField(label=_("管理项目"), choices=Programme.choices)
    icd10_code = forms.CharField(label=_("ICD-10诊断编码"), max_length=16, required=False)
    diagnosis_date = forms.DateField(label=_("确诊日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    diagnosing_institution = forms.ModelChoiceField(label=_("确诊机构"), required=False,
                                                    queryset=Institution.objects.filter(active=True))
    managing_institution = forms.ModelChoiceField(label=_("管理机构"), queryset=Institution.objects.none())
    enrolled_on = forms.DateField(label=_("纳入管理日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_institution"].queryset = acting_institutions(user)


class LeaveForm(forms.Form):
    reason = forms.ChoiceField(label=_("出组原因"), choices=LeaveReason.choices)
    left_on = forms.DateField(label=_("出组日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("电话结果"), choices=CallOutcome.Outcome.choices)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class ConfirmForm(forms.Form):
    icd10_code = forms.CharField(label=_("ICD-10诊断编码"), max_length=16)
    diagnosis_date = forms.DateField(label=_("确诊日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    managing_institution = forms.ModelChoiceField(label=_("管理机构"), queryset=Institution.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_institution"].queryset = acting_institutions(user)


