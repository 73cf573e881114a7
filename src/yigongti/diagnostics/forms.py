"""Plain forms for the diagnostics pages; the actions validate (the forms parse and offer choices)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution

from .actions import CLINICAL_ROLES
from .models import Centre, Priority, Test


def acting_institutions(user):
    from yigongti.org.access import can_act_for

    from .queries import member_institution_ids

    ids = [i for i in member_institution_ids(user) if can_act_for(user, i, CLINICAL_ROLES)]
    return Institution.objects.filter(pk__in=ids, active=True).order_by("tier", "code")


class RequestForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("申请机构"), queryset=Institution.objects.none())
    test = forms.ModelChoiceField(label=_("检查检验项目"), queryset=Test.objects.filter(active=True))
    centre = forms.ModelChoiceField(label=_("诊断中心"), queryset=Centre.objects.filter(active=True), required=False,
                                    empty_label=_("按项目自动选择"))
    priority = forms.ChoiceField(label=_("优先级"), choices=Priority.choices, initial=Priority.ROUTINE)
    clinical_info = forms.CharField(label=_("临床资料（主诉、病史、初步诊断）"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    repeat_reason = forms.CharField(label=_("重复检查理由（互认期内必填）"), max_length=200, required=False)
    study = forms.FileField(label=_("检查文件（心电 PDF/图片，影像 DICOM）"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user)


class ReportForm(forms.Form):
    findings = forms.CharField(label=_("检查所见"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    impression = forms.CharField(label=_("诊断意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviseForm(ReportForm):
    reason = forms.CharField(label=_("修订原因"), max_length=200)


class CallForm(forms.Form):
    phoned_to = forms.CharField(label=_("接听人"), max_length=40)
    read_back = forms.CharField(label=_("对方复述的内容"), max_length=200)


class DutyForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())
    doctor = forms.IntegerField(label=_("值班医生"))
    starts_at = forms.DateTimeField(label=_("开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user)
