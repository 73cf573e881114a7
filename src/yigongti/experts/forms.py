"""Plain forms for the experts pages; the actions validate (the forms parse and offer choices)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import can_act_for, institution_ids
from yigongti.org.models import Institution, Role, Tier, User

from .actions import CLINICAL_ROLES, SPECIALIST_ROLES
from .models import ConsultationMode, OutreachKind, SecondmentRole


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def acting_institutions(user, tiers=None):
    ids = [i for i in institution_ids(user) if can_act_for(user, i, CLINICAL_ROLES)]
    qs = Institution.objects.filter(pk__in=ids, active=True)
    if tiers:
        qs = qs.filter(tier__in=tiers)
    return qs.order_by("tier", "code")


def county_specialists():
    return (User.objects.filter(is_active=True, memberships__institution__tier=Tier.COUNTY,
                                memberships__roles__role__in=SPECIALIST_ROLES).distinct().order_by("full_name"))


class ConsultationForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("申请机构"), queryset=Institution.objects.none())
    specialist = forms.ModelChoiceField(label=_("会诊专家"), queryset=User.objects.none())
    mode = forms.ChoiceField(label=_("方式"), choices=ConsultationMode.choices)
    scheduled_at = forms.DateTimeField(label=_("预约时间"), required=False, widget=DateTimeInput())
    question = forms.CharField(label=_("会诊目的及病情摘要"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user, [Tier.TOWNSHIP, Tier.VILLAGE])
        self.fields["specialist"].queryset = county_specialists()
        self.fields["specialist"].label_from_instance = lambda u: f"{u.display_name}（{u.title_name or u.get_title_display()}）"


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("会诊意见"), widget=forms.Textarea(attrs={"rows": 6}))
    video_call = forms.BooleanField(label=_("已进行视频通话"), required=False)


class OutreachForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=OutreachKind.choices)
    institution = forms.ModelChoiceField(label=_("开展机构"), queryset=Institution.objects.filter(tier=Tier.TOWNSHIP))
    date = forms.DateField(label=_("日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    topic = forms.CharField(label=_("主题"), max_length=120)
    experts = forms.ModelMultipleChoiceField(label=_("专家"), queryset=User.objects.none())
    participants = forms.IntegerField(label=_("参加人数"), min_value=0, initial=0)
    count = forms.IntegerField(label=_("例数/人次"), min_value=0, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = county_specialists()


class SecondmentForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("派驻人员"), queryset=User.objects.none())
    home_institution = forms.ModelChoiceField(label=_("派出机构"), queryset=Institution.objects.filter(tier=Tier.COUNTY))
    institution = forms.ModelChoiceField(label=_("派驻机构"), queryset=Institution.objects.filter(tier=Tier.TOWNSHIP))
    role = forms.ChoiceField(label=_("派驻岗位"), choices=SecondmentRole.choices)
    specialty = forms.CharField(label=_("专业"), required=False, max_length=40)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (User.objects.filter(
            is_active=True, memberships__institution__tier=Tier.COUNTY,
            memberships__roles__role__in=[Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD]).distinct().order_by("full_name"))


class EntryForm(forms.Form):
    clinic = forms.CharField(label=_("门诊"), max_length=40)
    weekday = forms.TypedChoiceField(label=_("星期"), coerce=int, choices=[
        (0, _("星期一")), (1, _("星期二")), (2, _("星期三")), (3, _("星期四")), (4, _("星期五")), (5, _("星期六")),
        (6, _("星期日"))])
    half_day = forms.ChoiceField(label=_("时段"), choices=[("am", _("上午")), ("pm", _("下午"))])
    specialty = forms.CharField(label=_("专科"), max_length=40)
    specialist = forms.ModelChoiceField(label=_("坐诊专家"), queryset=User.objects.none(), required=False)
    home_institution = forms.ModelChoiceField(label=_("专家所在医院"), queryset=Institution.objects.filter(tier=Tier.COUNTY),
                                              required=False)
    capacity = forms.IntegerField(label=_("号源数"), initial=20)
    reserved = forms.IntegerField(label=_("家庭医生预留号源"), initial=5)
    valid_from = forms.DateField(label=_("生效日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = county_specialists()


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[("holiday", _("停诊（节假日）")), ("swap", _("调班"))])
    date = forms.DateField(label=_("日期"), widget=DateInput())
    entry = forms.ModelChoiceField(label=_("排班"), queryset=Institution.objects.none(), required=False)
    new_date = forms.DateField(label=_("调至日期"), widget=DateInput(), required=False)
    new_specialist = forms.ModelChoiceField(label=_("替班专家"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, institution=None, **kwargs):
        from .models import TimetableEntry

        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = TimetableEntry.objects.filter(institution=institution, active=True)
        self.fields["new_specialist"].queryset = county_specialists()


class GenerateForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
