"""Plain forms for the record pages; the actions validate (the forms only parse and offer choices)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import can_act_for, institution_ids
from yigongti.org.models import Area, AreaLevel, Department, Institution

from .models import (
    Disability,
    DocumentType,
    EncounterKind,
    InsuranceScheme,
    RecordStatus,
    Relation,
    ResidentTag,
    Sex,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def acting_institutions(user):
    """Institutions ``user`` may write in the name of."""
    ids = [i for i in institution_ids(user) if can_act_for(user, i)]
    return Institution.objects.filter(pk__in=ids, active=True).order_by("tier", "code")


def areas_served_by(institutions) -> list[Area]:
    """Villages and communities in the service areas of ``institutions``."""
    paths = {sa.path for inst in institutions for sa in inst.service_areas.all()}
    if not paths:
        return []
    from django.db.models import Q

    cond = Q()
    for path in paths:
        cond |= Q(path__startswith=path)
    return list(Area.objects.filter(cond, level__in=[AreaLevel.VILLAGE, AreaLevel.COMMUNITY]).order_by("code"))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("查找"), required=False, max_length=40, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("姓名、拼音首字母、证件号、手机号或后四位、档案编号"),
        "autocomplete": "off"}))
    status = forms.ChoiceField(label=_("档案状态"), required=False, choices=[
        ("current", _("全部（不含已合并）")), *RecordStatus.choices, ("all", _("全部"))])


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    document_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.ID_CARD)
    id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False,
                                help_text=_("居民身份证会校验末位校验码；新生儿可填出生医学证明编号或选择“无证件”。"))
    sex = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Sex.choices], required=False,
                            help_text=_("填写身份证号码时可留空，由号码得出。"))
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput())
    area = forms.ModelChoiceField(label=_("村/社区"), queryset=Area.objects.none())
    phone = forms.CharField(label=_("本人电话"), max_length=20, required=False)
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系人电话"), max_length=20, required=False)
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—"), *Relation.choices], required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=16, initial="汉族", required=False)
    is_resident = forms.BooleanField(label=_("常住（在本地居住半年以上）"), required=False, initial=True)
    is_registered = forms.BooleanField(label=_("户籍"), required=False, initial=True)
    insurance_scheme = forms.ChoiceField(label=_("医疗费用支付方式"), choices=InsuranceScheme.choices,
                                         initial=InsuranceScheme.RESIDENT)
    allergies = forms.CharField(label=_("药物过敏史"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    past_history = forms.CharField(label=_("既往史"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("疾病、手术、外伤、输血，每行一项，可注明时间。"))
    family_history = forms.CharField(label=_("家族史"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("每行一项，如：父亲 高血压。"))
    disability = forms.MultipleChoiceField(label=_("残疾情况"), required=False, choices=Disability.choices,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(pk__in=[a.pk for a in areas]).order_by("code")

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("force", None)
        data.pop("version", None)
        if not data.get("sex"):
            data.pop("sex", None)
        if not data.get("birth_date"):
            data.pop("birth_date", None)
        data["ethnicity"] = data.get("ethnicity") or "汉族"
        for name in ("past_history", "family_history"):
            data[name] = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
        return data


class NewResidentForm(ResidentForm):
    force = forms.BooleanField(label=_("仍然建档（已核对，不是同一人）"), required=False)


class EditResidentForm(ResidentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveAwayForm(forms.Form):
    moved_on = forms.DateField(label=_("迁出日期"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeathForm(forms.Form):
    death_date = forms.DateField(label=_("死亡日期"), widget=DateInput())
    death_cause = forms.CharField(label=_("死亡原因"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    other = forms.CharField(label=_("重复档案"), max_length=17,
                            help_text=_("选择下方列出的疑似重复档案，或输入其档案编号。该档案将并入当前档案。"))
    reason = forms.CharField(label=_("合并原因"), max_length=200)


class JoinHouseholdForm(forms.Form):
    number = forms.CharField(label=_("户编号"), max_length=24,
                             help_text=_("输入该户的户编号（见户主的档案页）。"))
    relation_to_head = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TagForm(forms.Form):
    tag = forms.ChoiceField(label=_("标签"), choices=ResidentTag.Tag.choices)


def _institution_field():
    return forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())


class ExamForm(forms.Form):
    institution = _institution_field()
    exam_date = forms.DateField(label=_("体检日期"), widget=DateInput())
    systolic_left = forms.IntegerField(label=_("左侧收缩压(mmHg)"), required=False)
    diastolic_left = forms.IntegerField(label=_("左侧舒张压(mmHg)"), required=False)
    systolic_right = forms.IntegerField(label=_("右侧收缩压(mmHg)"), required=False)
    diastolic_right = forms.IntegerField(label=_("右侧舒张压(mmHg)"), required=False)
    pulse = forms.IntegerField(label=_("脉率(次/分)"), required=False)
    temperature = forms.DecimalField(label=_("体温(℃)"), required=False, max_digits=4, decimal_places=1)
    height = forms.DecimalField(label=_("身高(cm)"), required=False, max_digits=5, decimal_places=1)
    weight = forms.DecimalField(label=_("体重(kg)"), required=False, max_digits=5, decimal_places=1)
    waist = forms.DecimalField(label=_("腰围(cm)"), required=False, max_digits=5, decimal_places=1)
    fasting_glucose = forms.DecimalField(label=_("空腹血糖(mmol/L)"), required=False, max_digits=4, decimal_places=1)
    assessment = forms.CharField(label=_("健康评价"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    advice = forms.CharField(label=_("健康指导"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = acting_institutions(user)

    def action_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "institution" and v not in (None, "")}


class EncounterForm(forms.Form):
    institution = _institution_field()
    department = forms.ModelChoiceField(label=_("科室"), queryset=Department.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=EncounterKind.choices)
    visit_date = forms.DateField(label=_("就诊/入院日期"), widget=DateInput())
    discharge_date = forms.DateField(label=_("出院日期"), required=False, widget=DateInput())
    primary_diagnosis = forms.CharField(label=_("主要诊断（ICD-10）"), max_length=16)
    systolic = forms.IntegerField(label=_("收缩压(mmHg)"), required=False)
    diastolic = forms.IntegerField(label=_("舒张压(mmHg)"), required=False)
    fasting_glucose = forms.DecimalField(label=_("空腹血糖(mmol/L)"), required=False, max_digits=4, decimal_places=1)
    total_cost = forms.DecimalField(label=_("总费用(元)"), max_digits=12, decimal_places=2, initial=0)
    drug_cost = forms.DecimalField(label=_("药品费(元)"), max_digits=12, decimal_places=2, initial=0)
    consumables_cost = forms.DecimalField(label=_("耗材费(元)"), max_digits=12, decimal_places=2, initial=0)
    medical_service_income = forms.DecimalField(label=_("医疗服务性收入(元)"), max_digits=12, decimal_places=2,
                                                initial=0)
    insurance_paid = forms.DecimalField(label=_("医保支付(元)"), max_digits=12, decimal_places=2, initial=0)
    is_tcm = forms.BooleanField(label=_("中医诊疗"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = acting_institutions(user).filter(clinical_system="yigongti")
        self.fields["institution"].queryset = institutions
        self.fields["department"].queryset = Department.objects.filter(institution__in=institutions)

    def action_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "institution"}
        for name in ("systolic", "diastolic", "fasting_glucose", "discharge_date"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data
