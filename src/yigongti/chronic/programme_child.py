"""Children 0–6 (0–6岁儿童健康管理) on the programme engine: scheduled from the birth date (``rules.child``):
newborn home visit, 满月, 3…36 months, yearly 4–6 years. A newborn without an ID number is a normal resident
here (``document_type="none"``). Growth is judged against the WS/T 423-2022 table the county supplies (``growth.py``);
anaemia, vision, development warning signs and the high-risk flag make the visit's classification."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yigongti.rules import child
from yigongti.rules.chronic import add_months

from . import labels
from .programmes import ProgrammeDef, register

CHECK_LABELS = {"newborn": _("新生儿家庭访视"), "1m": _("满月健康管理"), "3m": _("3月龄"), "6m": _("6月龄"),
                "8m": _("8月龄"), "12m": _("12月龄"), "18m": _("18月龄"), "24m": _("24月龄"), "30m": _("30月龄"),
                "36m": _("36月龄"), "4y": _("4岁"), "5y": _("5岁"), "6y": _("6岁")}


class ChildDetails(forms.Form):
    check = forms.ChoiceField(label=_("检查月龄"), required=False,
                              choices=[("", _("按出生日期自动判断")), *CHECK_LABELS.items()])
    weight_kg = forms.DecimalField(label=_("体重(kg)"), required=False, min_value=Decimal("0.5"), max_value=60,
                                   decimal_places=2)
    height_cm = forms.DecimalField(label=_("身长/身高(cm)"), required=False, min_value=30, max_value=150,
                                   decimal_places=1)
    head_cm = forms.DecimalField(label=_("头围(cm)"), required=False, min_value=20, max_value=70, decimal_places=1)
    haemoglobin = forms.IntegerField(label=_("血红蛋白(g/L)"), required=False, min_value=30, max_value=250)
    vision_abnormal = forms.BooleanField(label=_("视力筛查异常"), required=False)
    development_warning = forms.BooleanField(label=_("发育预警征象阳性"), required=False)
    high_risk = forms.BooleanField(label=_("高危儿"), required=False)
    feeding = forms.ChoiceField(label=_("喂养方式"), required=False, choices=[
        ("", "—"), ("breast", _("纯母乳")), ("mixed", _("混合")), ("formula", _("人工")), ("family_food", _("普通饮食"))])
    education = forms.CharField(label=_("健康教育/指导内容"), required=False, max_length=200)


class ChildEnrolment(forms.Form):
    discharge_date = forms.DateField(label=_("出院日期"), required=False)
    birth_weight_g = forms.IntegerField(label=_("出生体重(g)"), required=False, min_value=300, max_value=7000)
    gestation_weeks = forms.IntegerField(label=_("出生孕周"), required=False, min_value=20, max_value=45)
    high_risk_note = forms.CharField(label=_("高危因素"), required=False, max_length=120)


def _date(value):
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else None


def is_high_risk(enrolment_details: dict) -> bool:
    """The enrolment's birth facts or a noted factor make a high-risk child."""
    d = enrolment_details or {}
    return bool(d.get("high_risk_note")) or child.is_high_risk_at_birth(
        int(d["birth_weight_g"]) if d.get("birth_weight_g") else None,
        int(d["gestation_weeks"]) if d.get("gestation_weeks") else None)


def _visit(enrolment, data: dict, age):
    d = data.get("details") or {}
    e = enrolment.details or {}
    resident = enrolment.resident
    return child.ChildVisit(
        visit_date=data["visit_date"], birth_date=resident.birth_date, sex=resident.sex,
        discharge_date=_date(e.get("discharge_date")), check=d.get("check", ""),
        weight=Decimal(str(d["weight_kg"])) if d.get("weight_kg") not in (None, "") else None,
        height=Decimal(str(d["height_cm"])) if d.get("height_cm") not in (None, "") else None,
        haemoglobin=int(d["haemoglobin"]) if d.get("haemoglobin") not in (None, "") else None,
        vision_abnormal=bool(d.get("vision_abnormal")), development_warning=bool(d.get("development_warning")),
        high_risk=bool(d.get("high_risk")) or is_high_risk(e))


def _defaults(resident, details: dict, enrolled_on: dt.date) -> dict:
    return {"next_due": child.first_due(resident.birth_date, enrolled_on, _date(details.get("discharge_date")))}


def _eligible(residents, today: dt.date):
    return residents.filter(is_resident=True, death_date__isnull=True,
                            birth_date__gt=add_months(today, -12 * (child.MAX_AGE_YEARS + 1)),
                            birth_date__lte=today)


def _panels(user, enrolment):
    from . import growth
    from .vaccination import panel

    return [growth.panel(user, enrolment), panel(user, enrolment.resident)]


def _settings() -> dict:
    from .growth import current_table

    return {"table": current_table()}


LABELS = {
    child.NORMAL: _("正常"), child.ATTENTION: _("需关注"), child.HIGH_RISK: _("高危"),
    child.R_UNDERWEIGHT: _("低体重（年龄别体重低于参考表界值）"),
    child.R_STUNTING: _("生长迟缓（年龄别身长/身高低于参考表界值）"),
    child.R_WASTING: _("消瘦（身长/身高别体重低于参考表界值）"),
    child.R_OVERWEIGHT: _("超重（身长/身高别体重高于参考表界值）"),
    child.R_OBESITY: _("肥胖（身长/身高别体重高于参考表界值）"),
    child.R_NO_REFERENCE: _("生长标准参考表中无该月龄或身长/身高的参考值，未评价"),
    child.R_NO_TABLE: _("未载入生长标准参考表（WS/T 423-2022），未评价生长"),
    child.R_ANAEMIA: _("贫血（血红蛋白<110g/L）"), child.R_VISION: _("视力筛查异常"),
    child.R_MILESTONE: _("发育预警征象阳性，建议转诊"), child.R_HIGH_RISK: _("高危儿"),
    **{f"check_{c}": lbl for c, lbl in CHECK_LABELS.items()},
}

PROGRAMME = ProgrammeDef(
    code=child.PROGRAMME, label=_("0–6岁儿童健康管理"), service_label=_("儿童健康检查"), rules=child,
    details_form=ChildDetails, enrolment_form=ChildEnrolment, icd10_check=lambda code: "", build_visit=_visit,
    controlled=lambda data, age: None, medication_fields=False, print_title=_("儿童健康检查记录表"),
    enrol_defaults=_defaults, eligible=_eligible, panels=_panels, labels=LABELS, rule_settings=_settings,
    auto_enrol=True, leave_at_age=child.LEAVE_AGE_YEARS)
register(PROGRAMME)
labels.CLASSIFICATIONS.update({k: v for k, v in LABELS.items() if k in child.CLASSIFICATIONS})
labels.REASONS.update({k: v for k, v in LABELS.items() if k not in child.CLASSIFICATIONS})
