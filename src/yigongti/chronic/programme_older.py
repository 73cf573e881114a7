"""Older people (老年人健康管理) on the programme engine: every 常住 resident aged ≥65 is due one visit a year
(``rules.older``). The visit's exam and tests are written as the shared health exam (``people.HealthExam``
through ``people.actions.record_exam``), which screens raised BP / glucose for the chronic programmes
(``VitalsRecorded``); the visit itself keeps the self-care band, the TCM constitution and its guidance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yigongti.rules import older
from yigongti.rules.chronic import add_months

from . import labels
from .programmes import ProgrammeDef, register

NORMAL_ABNORMAL = [("", "—"), ("normal", _("未见异常")), ("abnormal", _("异常"))]
CONSTITUTION_LABELS = {
    "balanced": _("平和质"), "qi_deficiency": _("气虚质"), "yang_deficiency": _("阳虚质"),
    "yin_deficiency": _("阴虚质"), "phlegm_dampness": _("痰湿质"), "damp_heat": _("湿热质"),
    "blood_stasis": _("血瘀质"), "qi_stagnation": _("气郁质"), "inherited_special": _("特禀质")}
GUIDANCE_LABELS = {"emotion": _("情志调摄"), "diet": _("饮食调养"), "daily_routine": _("起居调摄"),
                   "exercise": _("运动保健"), "acupoint": _("穴位保健")}
# exam items of spec §Older [C] (T, P, R, BP, height, weight, waist are fields; the rest normal/abnormal)
BODY = (("skin", _("皮肤")), ("lymph_nodes", _("淋巴结")), ("lungs", _("肺")), ("heart", _("心脏")),
        ("abdomen", _("腹部")))
ORGANS = (("mouth", _("口腔")), ("vision", _("视力")), ("hearing", _("听力")), ("movement", _("运动功能")))
# tests of spec §Older [C] kept as short results (blood lipids and glucose have their own exam columns)
TESTS = (("blood_routine", _("血常规")), ("urine_routine", _("尿常规")), ("alt", _("ALT")), ("ast", _("AST")),
         ("bilirubin", _("总胆红素")), ("creatinine", _("肌酐")), ("urea", _("尿素")))
LIPIDS = (("total_cholesterol", _("总胆固醇(mmol/L)")), ("triglycerides", _("甘油三酯(mmol/L)")),
          ("ldl", _("低密度脂蛋白(mmol/L)")), ("hdl", _("高密度脂蛋白(mmol/L)")))


class OlderDetails(forms.Form):
    self_care_score = forms.IntegerField(label=_("生活自理能力评分"), min_value=0, max_value=40,
                                         help_text=_("0–3可自理，4–8轻度依赖，9–18中度依赖，≥19不能自理"))
    self_assessment = forms.ChoiceField(label=_("健康状态自我评估"), required=False, choices=[
        ("", "—"), ("satisfied", _("满意")), ("fairly", _("基本满意")), ("unsure", _("说不清楚")),
        ("unsatisfied", _("不太满意")), ("very_unsatisfied", _("不满意"))])
    cognition = forms.ChoiceField(label=_("认知功能粗筛"), required=False,
                                  choices=[("", "—"), ("negative", _("阴性")), ("positive", _("阳性"))])
    mood = forms.ChoiceField(label=_("情感状态粗筛"), required=False,
                             choices=[("", "—"), ("negative", _("阴性")), ("positive", _("阳性"))])
    constitution = forms.ChoiceField(label=_("中医体质辨识"), required=False,
                                     choices=[("", "—"), *CONSTITUTION_LABELS.items()])
    tcm_guidance_given = forms.BooleanField(label=_("已给予中医药保健指导"), required=False)
    temperature = forms.DecimalField(label=_("体温(℃)"), required=False, min_value=30, max_value=45, decimal_places=1)
    pulse = forms.IntegerField(label=_("脉率(次/分)"), required=False, min_value=20, max_value=250)
    respiration = forms.IntegerField(label=_("呼吸频率(次/分)"), required=False, min_value=4, max_value=80)
    height = forms.DecimalField(label=_("身高(cm)"), required=False, min_value=80, max_value=230, decimal_places=1)
    waist = forms.DecimalField(label=_("腰围(cm)"), required=False, min_value=30, max_value=200, decimal_places=1)
    ecg = forms.CharField(label=_("心电图"), required=False, max_length=200)
    ultrasound = forms.CharField(label=_("腹部B超"), required=False, max_length=200)
    education = forms.CharField(label=_("健康教育内容"), required=False, max_length=200)


for _name, _label in (*BODY, *ORGANS):
    OlderDetails.base_fields[_name] = forms.ChoiceField(label=_label, required=False, choices=NORMAL_ABNORMAL)
for _name, _label in TESTS:
    OlderDetails.base_fields[_name] = forms.CharField(label=_label, required=False, max_length=60)
for _name, _label in LIPIDS:
    OlderDetails.base_fields[_name] = forms.DecimalField(label=_label, required=False,
                                                         min_value=0, max_value=50, decimal_places=2)


def _visit(enrolment, data: dict, age):
    d = data.get("details") or {}
    return older.OlderVisit(visit_date=data["visit_date"], self_care_score=int(d.get("self_care_score", 0)),
                            sbp=data.get("systolic"), dbp=data.get("diastolic"),
                            fasting_glucose=data.get("fasting_glucose"), constitution=d.get("constitution", ""))


def _dec(value):
    return Decimal(str(value)) if value not in (None, "") else None


def exam_fields(visit, details: dict) -> dict:
    """The visit's exam and tests as the shared health exam's fields (people.HealthExam)."""
    return {
        "exam_date": visit.visit_date, "systolic_left": visit.systolic, "diastolic_left": visit.diastolic,
        "weight": visit.weight, "fasting_glucose": visit.fasting_glucose, "height": _dec(details.get("height")),
        "waist": _dec(details.get("waist")), "temperature": _dec(details.get("temperature")),
        "pulse": details.get("pulse") or visit.heart_rate, "respiration": details.get("respiration"),
        "self_care_score": details.get("self_care_score"),
        "self_assessment": details.get("self_assessment", ""), "cognition": details.get("cognition", ""),
        "mood": details.get("mood", ""),
        "findings": {k: details[k] for k, _label in BODY if details.get(k)}
        | {"tests": {k: details[k] for k, _label in TESTS if details.get(k)}},
        "organ_function": {k: details[k] for k, _label in ORGANS if details.get(k)},
        **{k: _dec(details.get(k)) for k, _label in LIPIDS},
        "ecg_summary": details.get("ecg", ""), "ultrasound_summary": details.get("ultrasound", ""),
        "advice": str(_("中医体质：%(c)s；保健指导：%(g)s") % {
            "c": CONSTITUTION_LABELS.get(details.get("constitution", ""), "—"),
            "g": "、".join(str(GUIDANCE_LABELS[g]) for g in older.TCM_GUIDANCE)}) if details.get("constitution") else "",
    }


def record_visit(actor, enrolment, *, institution, **data):
    """The annual visit: the engine's follow-up (self-care band, next due in a year) and the shared health
    exam in one transaction; the exam publishes VitalsRecorded (screening) and ServiceDelivered
    "health_exam". The visit keeps the exam's id (``details.exam_id``)."""
    from yigongti.people.actions import record_exam

    from .actions import record_followup

    with transaction.atomic():
        visit, decision = record_followup(actor, enrolment, institution=institution, **data)
        fields = {k: v for k, v in exam_fields(visit, visit.details).items() if v not in (None, "", {})}
        exam = record_exam(actor, institution=institution, resident=visit.resident,
                           doctor=visit.doctor, **fields)
        visit.details = {**visit.details, "exam_id": exam.pk}
        visit.save(update_fields=["details"])
    return visit, decision


def _defaults(resident, details: dict, enrolled_on: dt.date) -> dict:
    return {"next_due": older.first_due(resident.birth_date, enrolled_on)}


def _eligible(residents, today: dt.date):
    return residents.filter(is_resident=True, death_date__isnull=True,
                            birth_date__lte=add_months(today, -12 * older.MIN_AGE))


LABELS = {
    older.INDEPENDENT: _("可自理"), older.MILD: _("轻度依赖"), older.MODERATE: _("中度依赖"), older.DEPENDENT: _("不能自理"),
    older.R_BP: _("血压升高，转入高血压筛查"), older.R_GLUCOSE: _("空腹血糖升高，转入糖尿病筛查"),
    older.R_TCM: _("已辨识中医体质并给予保健指导"),
    older.R_SELF_CARE.format(older.INDEPENDENT): _("生活自理能力：可自理（0–3分）"),
    older.R_SELF_CARE.format(older.MILD): _("生活自理能力：轻度依赖（4–8分）"),
    older.R_SELF_CARE.format(older.MODERATE): _("生活自理能力：中度依赖（9–18分）"),
    older.R_SELF_CARE.format(older.DEPENDENT): _("生活自理能力：不能自理（≥19分）"),
}

PROGRAMME = ProgrammeDef(
    code=older.PROGRAMME, label=_("老年人健康管理"), service_label=_("老年人健康管理年度随访"), rules=older,
    details_form=OlderDetails, enrolment_form=None, icd10_check=lambda code: "", build_visit=_visit,
    controlled=lambda data, age: None, shows_vitals=True, medication_fields=False,
    print_title=_("老年人健康管理服务记录（健康体检表）"), recorder=record_visit, enrol_defaults=_defaults,
    eligible=_eligible, auto_enrol=True, labels=LABELS, sections=(
        (_("体格检查"), ("temperature", "pulse", "respiration", "height", "waist", *(n for n, _l in BODY + ORGANS))),
        (_("辅助检查"), (*(n for n, _l in TESTS), *(n for n, _l in LIPIDS), "ecg", "ultrasound")),
        (_("认知、情感与健康教育"), ("self_assessment", "cognition", "mood", "education"))))
register(PROGRAMME)
labels.CLASSIFICATIONS.update({k: v for k, v in LABELS.items() if k in older.CLASSIFICATIONS})
labels.REASONS.update({k: v for k, v in LABELS.items() if k not in older.CLASSIFICATIONS})
