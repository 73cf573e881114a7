"""The programme registry (design: "Programmes share one engine"). A programme is a rule module in
``yigongti.rules`` plus a small adapter here: which ICD-10 codes it enrols, the form of its own fields
(``details``), how a visit's facts become the rule module's visit, whether a visit is on target. Nothing
outside this module branches on a programme code: lists, actions, rates and pages ask the registry.

Population programmes (older people, children 0–6, maternal care; ``programme_older/child/maternal.py``) register
the same way: they enrol by eligibility (age, pregnancy) instead of a diagnosis, start their schedule from the
resident's facts (``enrol_defaults``) and may record a visit through their own action (``recorder``, e.g. the
older person's visit also writes the shared health exam).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.rules import chronic as chronic_rules
from yigongti.rules import diabetes, hypertension, mental, tb
from yigongti.rules.chronic import Decision

from . import conf


@dataclass(frozen=True)
class ProgrammeDef:
    code: str
    label: object
    rules: object                      # the rule module
    details_form: type[forms.Form]     # the programme's own follow-up fields
    enrolment_form: type[forms.Form] | None
    icd10_check: Callable[[str], str]  # "enrol" | "refer" | ""
    build_visit: Callable[[object, dict, int | None], object]
    controlled: Callable[[dict, int | None], bool | None]
    sensitive: str = ""
    measures_bp: bool = False          # the visit's BP is screened/counted (VitalsRecorded)
    min_age: int = 0                   # the programme population's age (rates), 0 = none
    print_title: object = ""
    has_rates: bool = False
    counts_glucose_test: bool = False  # a visit with a fasting glucose also counts as fasting_glucose_test
    symptoms: dict = field(default_factory=dict)
    service_label: object = ""          # the face-to-face follow-up as a service kind (contracts, work points)
    rule_settings: Callable[[], dict] = dict   # the [U] settings passed to the rule module's classify
    # --- extension points of the population programmes (all optional) ---
    shows_vitals: bool = False         # BP / glucose / weight on the form without publishing them (the exam does)
    medication_fields: bool = True     # medications, adherence, lifestyle targets on the form
    recorder: Callable | None = None   # fn(actor, enrolment, *, institution, **data) -> (visit, decision)
    enrol_defaults: Callable | None = None   # fn(resident, details, enrolled_on) -> extra kwargs for actions.enrol
    eligible: Callable | None = None   # fn(residents queryset, today) -> the residents the programme is for
    panels: Callable | None = None     # fn(user, enrolment) -> [(template, context)] on the management card
    labels: dict = field(default_factory=dict)   # classification and reason codes → labels
    sections: tuple = ()               # ((title, (field names…)), …): programme fields folded on the phone page
    auto_enrol: bool = False           # the nightly job enrols every eligible resident never enrolled (nightly.py)
    leave_at_age: int = 0              # the enrolment ends on this birthday, reason "aged_out" (nightly.py); 0 = never

    @property
    def vitals_on_form(self) -> bool:
        return self.measures_bp or self.shows_vitals

    @property
    def population(self) -> bool:
        return self.eligible is not None

    def record(self, actor, enrolment, **kwargs):
        """Record a visit: the programme's own action if it has one, else the engine's record_followup."""
        if self.recorder is not None:
            return self.recorder(actor, enrolment, **kwargs)
        from .actions import record_followup

        return record_followup(actor, enrolment, **kwargs)

    def enrol_kwargs(self, resident, details: dict | None, enrolled_on) -> dict:
        if self.enrol_defaults is None:
            return {}
        try:
            return self.enrol_defaults(resident, details or {}, enrolled_on)
        except (ValueError, TypeError, KeyError, chronic_rules.RuleError):
            return {}    # the enrolment form reports the bad input

    @property
    def service_code(self) -> str:
        return f"followup_{self.code}"

    def classify(self, enrolment, data: dict, previous: str | None, age: int | None) -> Decision:
        visit = self.build_visit(enrolment, data, age)
        return self.rules.classify(visit, previous, **self.rule_settings())

    def rank(self, classification: str) -> int:
        order = getattr(self.rules, "CLASSIFICATIONS", ())
        return order.index(classification) if classification in order else 0


# --- programme fields ---------------------------------------------------------------------------------

class HypertensionDetails(forms.Form):
    bmi = forms.DecimalField(label=_("体质指数"), required=False, min_value=5, max_value=100, decimal_places=1)
    bmi_target = forms.DecimalField(label=_("目标体质指数"), required=False, min_value=5, max_value=100,
                                    decimal_places=1)
    other_signs = forms.CharField(label=_("其他体征"), required=False, max_length=200)
    tests = forms.CharField(label=_("辅助检查"), required=False, max_length=200)
    adverse_uncontrolled = forms.BooleanField(label=_("不良反应无法控制"), required=False)
    complication_new_or_worse = forms.BooleanField(label=_("新发或加重的并发症"), required=False)
    pregnant_or_breastfeeding = forms.BooleanField(label=_("妊娠或哺乳期"), required=False)
    cannot_handle = forms.BooleanField(label=_("存在本机构无法处理的其他情况"), required=False)


class DiabetesDetails(HypertensionDetails):
    foot_pulse = forms.ChoiceField(label=_("足背动脉搏动"), required=False, choices=[
        ("", "—"), ("normal", _("触及正常")), ("weak", _("减弱")), ("absent", _("消失"))])
    staple_food_g = forms.IntegerField(label=_("主食(克/天)"), required=False, min_value=0, max_value=2000)
    staple_food_target_g = forms.IntegerField(label=_("目标主食(克/天)"), required=False, min_value=0,
                                              max_value=2000)
    hba1c = forms.DecimalField(label=_("糖化血红蛋白(%)"), required=False, min_value=2, max_value=25,
                               decimal_places=1)
    hba1c_date = forms.DateField(label=_("检查日期"), required=False)
    hypoglycaemia = forms.ChoiceField(label=_("低血糖反应"), required=False, choices=[
        ("", "—"), ("none", _("无")), ("occasional", _("偶尔")), ("frequent", _("频繁"))])
    insulin_kind = forms.CharField(label=_("胰岛素种类"), required=False, max_length=60)
    insulin_dose = forms.CharField(label=_("胰岛素用法和用量"), required=False, max_length=60)
    temperature = forms.DecimalField(label=_("体温(℃)"), required=False, min_value=30, max_value=45,
                                     decimal_places=1)
    sudden_vision_loss = forms.BooleanField(label=_("突然视力下降"), required=False)


class MentalDetails(forms.Form):
    risk_level = forms.TypedChoiceField(label=_("危险性评估"), coerce=int, choices=[
        (0, _("0级")), (1, _("1级")), (2, _("2级")), (3, _("3级")), (4, _("4级")), (5, _("5级"))])
    psychotic_symptoms_obvious = forms.BooleanField(label=_("精神症状明显"), required=False)
    symptoms_largely_gone = forms.BooleanField(label=_("精神症状基本消失"), required=False)
    insight = forms.ChoiceField(label=_("自知力"), choices=[
        ("full", _("自知力完全")), ("partial", _("自知力不全")), ("none", _("自知力缺失"))])
    social_function = forms.ChoiceField(label=_("社会功能"), choices=[
        ("good", _("良好")), ("fair", _("一般")), ("poor", _("较差"))])
    adverse_level = forms.ChoiceField(label=_("药物不良反应"), choices=[
        ("none", _("无")), ("mild", _("有")), ("acute", _("急性或严重"))])
    serious_physical_illness = forms.BooleanField(label=_("严重躯体疾病"), required=False)


class TbDetails(forms.Form):
    missed_doses = forms.IntegerField(label=_("漏服药次数"), required=False, min_value=0, max_value=200)
    sputum_test = forms.CharField(label=_("痰菌检查"), required=False, max_length=60)
    adverse_note = forms.CharField(label=_("药物不良反应"), required=False, max_length=200)


class MentalEnrolment(forms.Form):
    disease = forms.CharField(label=_("疾病名称"), required=False, max_length=60)
    guardian = forms.CharField(label=_("监护人"), required=False, max_length=40)


class TbEnrolment(forms.Form):
    regimen = forms.CharField(label=_("治疗方案"), max_length=40)
    treatment_start = forms.DateField(label=_("开始治疗日期"))
    supervision = forms.ChoiceField(label=_("督导方式"), choices=[("staff", _("医务人员督导")),
                                                                  ("family", _("家庭成员督导"))])

    def clean_regimen(self):
        value = self.cleaned_data["regimen"]
        try:
            tb.parse_regimen(value)
        except chronic_rules.RuleError:
            raise forms.ValidationError(_("治疗方案格式不正确（如 2HRZE/4HR）。")) from None
        return value


# --- adapters -------------------------------------------------------------------------------------------

def _flag(data: dict, name: str) -> bool:
    return bool((data.get("details") or {}).get(name))


def _ht_visit(enrolment, data: dict, age):
    return hypertension.HypertensionVisit(
        visit_date=data["visit_date"], sbp=data.get("systolic"), dbp=data.get("diastolic"), age=age,
        symptoms=frozenset(data.get("symptoms") or ()), adverse_reaction=bool(data.get("adverse_reaction")),
        adverse_uncontrolled=_flag(data, "adverse_uncontrolled"),
        complication_new_or_worse=_flag(data, "complication_new_or_worse"),
        pregnant_or_breastfeeding=_flag(data, "pregnant_or_breastfeeding"), cannot_handle=_flag(data, "cannot_handle"))


def _dm_visit(enrolment, data: dict, age):
    d = data.get("details") or {}
    return diabetes.DiabetesVisit(
        visit_date=data["visit_date"], fasting_glucose=data.get("fasting_glucose"), sbp=data.get("systolic"),
        dbp=data.get("diastolic"), heart_rate=data.get("heart_rate"),
        temperature=Decimal(str(d["temperature"])) if d.get("temperature") not in (None, "") else None,
        symptoms=frozenset(data.get("symptoms") or ()), adverse_reaction=bool(data.get("adverse_reaction")),
        adverse_uncontrolled=_flag(data, "adverse_uncontrolled"),
        complication_new_or_worse=_flag(data, "complication_new_or_worse"),
        pregnant_or_breastfeeding=_flag(data, "pregnant_or_breastfeeding"),
        sudden_vision_loss=_flag(data, "sudden_vision_loss"), cannot_handle=_flag(data, "cannot_handle"))


def _mental_visit(enrolment, data: dict, age):
    d = data.get("details") or {}
    return mental.MentalVisit(
        visit_date=data["visit_date"], risk_level=int(d.get("risk_level", 0)),
        psychotic_symptoms_obvious=bool(d.get("psychotic_symptoms_obvious")), insight=d.get("insight", "full"),
        social_function=d.get("social_function", "good"), adverse_reaction=d.get("adverse_level", "none"),
        serious_physical_illness=bool(d.get("serious_physical_illness")),
        symptoms_largely_gone=bool(d.get("symptoms_largely_gone")) if "symptoms_largely_gone" in d else None)


def _tb_visit(enrolment, data: dict, age):
    e = enrolment.details or {}
    return tb.TbVisit(visit_date=data["visit_date"], treatment_start=dt.date.fromisoformat(e["treatment_start"]),
                      regimen=e["regimen"], supervision=e["supervision"])


def _ht_controlled(data: dict, age) -> bool | None:
    if data.get("systolic") is None or data.get("diastolic") is None:
        return None
    return hypertension.is_controlled(data["systolic"], data["diastolic"], age,
                                      elderly_target=tuple(conf.get("ELDERLY_TARGET")),
                                      elderly_age=conf.get("ELDERLY_AGE"))


def _dm_controlled(data: dict, age) -> bool | None:
    if data.get("fasting_glucose") is None:
        return None
    return diabetes.is_controlled(data["fasting_glucose"])


def _mental_icd(code: str) -> str:
    return "enrol" if mental.disease_for_icd10(code) else ""


def _tb_icd(code: str) -> str:
    return "enrol" if code.strip().upper()[:3] in {"A15", "A16", "A17", "A18", "A19"} else ""


REGISTRY: dict[str, ProgrammeDef] = {}


def register(programme: ProgrammeDef) -> None:
    REGISTRY[programme.code] = programme


def get(code: str) -> ProgrammeDef:
    return REGISTRY[code]


def all_programmes() -> list[ProgrammeDef]:
    return list(REGISTRY.values())


register(ProgrammeDef(
    code=hypertension.PROGRAMME, label=_("高血压"), service_label=_("高血压患者面对面随访"), rules=hypertension, details_form=HypertensionDetails,
    enrolment_form=None, icd10_check=hypertension.icd10_enrolment, build_visit=_ht_visit,
    controlled=_ht_controlled, measures_bp=True, min_age=hypertension.MIN_AGE, has_rates=True,
    print_title=_("高血压患者随访服务记录表"), symptoms=hypertension.FORM_SYMPTOMS,
    rule_settings=lambda: {"elderly_target": tuple(conf.get("ELDERLY_TARGET")), "elderly_age": conf.get("ELDERLY_AGE")}))
register(ProgrammeDef(
    code=diabetes.PROGRAMME, label=_("2型糖尿病"), service_label=_("糖尿病患者面对面随访"), rules=diabetes, details_form=DiabetesDetails,
    enrolment_form=None, icd10_check=diabetes.icd10_enrolment, build_visit=_dm_visit,
    controlled=_dm_controlled, measures_bp=True, min_age=diabetes.MIN_AGE, has_rates=True, counts_glucose_test=True,
    print_title=_("2型糖尿病患者随访服务记录表"), symptoms=diabetes.FORM_SYMPTOMS))
register(ProgrammeDef(
    code=mental.PROGRAMME, label=_("严重精神障碍"), service_label=_("严重精神障碍患者面对面随访"), rules=mental, details_form=MentalDetails,
    enrolment_form=MentalEnrolment, icd10_check=_mental_icd, build_visit=_mental_visit,
    controlled=lambda data, age: None, sensitive="mental",
    print_title=_("严重精神障碍患者随访服务记录表")))
register(ProgrammeDef(
    code=tb.PROGRAMME, label=_("肺结核"), service_label=_("肺结核患者面对面随访"), rules=tb, details_form=TbDetails, enrolment_form=TbEnrolment,
    icd10_check=_tb_icd, build_visit=_tb_visit, controlled=lambda data, age: None,
    print_title=_("肺结核患者随访服务记录表")))


# the population programmes register themselves (older people, children 0–6, maternal care)
from . import education, programme_child, programme_maternal, programme_older, vaccination  # noqa: E402,F401  # noqa: E402,F401  (their service kinds and the import kind)
