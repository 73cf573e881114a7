"""Maternal care (孕产妇健康管理) on the programme engine: registration (《母子健康手册》) with the LMP or the
expected date, five antenatal contacts by gestational week, the postpartum home visit within a week of discharge
and the 42-day check (``rules.maternal``). The delivery (date, discharge, live births) is recorded on the visit
that learns of it and kept on the enrolment, where the postpartum schedule and 产后访视率 read it."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.rules import maternal

from . import labels
from .programmes import ProgrammeDef, register

CONTACT_LABELS = {"antenatal_1": _("第1次产前检查（孕13周前）"), "antenatal_2": _("第2次产前随访（孕16–20周）"),
                  "antenatal_3": _("第3次产前随访（孕21–24周）"), "antenatal_4": _("第4次产前随访（孕28–36周）"),
                  "antenatal_5": _("第5次产前随访（孕37–40周）"), "postpartum_visit": _("产后访视（出院后1周内）"),
                  "postpartum_42": _("产后42天健康检查")}
DELIVERY_FIELDS = ("delivery_date", "discharge_date", "live_births")


class MaternalDetails(forms.Form):
    contact = forms.ChoiceField(label=_("随访次别"), required=False,
                                choices=[("", _("按孕周自动判断")), *CONTACT_LABELS.items()])
    haemoglobin = forms.IntegerField(label=_("血红蛋白(g/L)"), required=False, min_value=30, max_value=250)
    high_risk = forms.BooleanField(label=_("存在高危因素"), required=False)
    high_risk_note = forms.CharField(label=_("高危因素"), required=False, max_length=120)
    delivery_date = forms.DateField(label=_("分娩日期"), required=False)
    discharge_date = forms.DateField(label=_("出院日期"), required=False)
    live_births = forms.IntegerField(label=_("活产数"), required=False, min_value=0, max_value=5)
    education = forms.CharField(label=_("健康教育/指导内容"), required=False, max_length=200)

    def clean(self):
        c = super().clean()
        if c.get("discharge_date") and c.get("delivery_date") and c["discharge_date"] < c["delivery_date"]:
            self.add_error("discharge_date", _("出院日期不能早于分娩日期。"))
        return c


class MaternalEnrolment(forms.Form):
    lmp = forms.DateField(label=_("末次月经"), required=False)
    edd = forms.DateField(label=_("预产期"), required=False)
    handbook = forms.BooleanField(label=_("已发放《母子健康手册》"), required=False)

    def clean(self):
        c = super().clean()
        if not c.get("lmp") and not c.get("edd") and not self.errors:
            raise ValidationError({"lmp": [_("请填写末次月经或预产期。")]})
        if c.get("lmp") and c["lmp"] > timezone.localdate():
            self.add_error("lmp", _("末次月经不能晚于今天。"))
        return c


def _date(value):
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else None


def lmp_of(details: dict) -> dt.date:
    return maternal.lmp_from(_date(details.get("lmp")), _date(details.get("edd")))


def _visit(enrolment, data: dict, age):
    d = data.get("details") or {}
    e = enrolment.details or {}
    return maternal.MaternalVisit(
        visit_date=data["visit_date"], lmp=lmp_of(e), age=age, contact=d.get("contact", ""),
        delivery_date=_date(d.get("delivery_date") or e.get("delivery_date")),
        discharge_date=_date(d.get("discharge_date") or e.get("discharge_date")),
        sbp=data.get("systolic"), dbp=data.get("diastolic"),
        haemoglobin=int(d["haemoglobin"]) if d.get("haemoglobin") not in (None, "") else None,
        flagged=bool(d.get("high_risk")))


def record_visit(actor, enrolment, *, institution, **data):
    """A maternal contact: the engine's follow-up, then the delivery facts the visit reports are kept on
    the enrolment (audited) so the postpartum schedule and the rates read them."""
    from .actions import enrolment_payload, record_followup
    from .models import Enrolment

    with transaction.atomic():
        visit, decision = record_followup(actor, enrolment, institution=institution, **data)
        learned = {k: visit.details[k] for k in DELIVERY_FIELDS if visit.details.get(k) not in (None, "")}
        if learned:
            e = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            before = {**enrolment_payload(e), "details": dict(e.details)}
            e.details = {**e.details, **learned}
            e.save(update_fields=["details"])
            record_change(actor, action="update", subject=e, before=before,
                          after={**enrolment_payload(e), "details": dict(e.details)},
                          institution_id=institution.pk, reason="delivery")
    return visit, decision


def _defaults(resident, details: dict, enrolled_on: dt.date) -> dict:
    return {"next_due": maternal.first_due(lmp_of(details), enrolled_on)}


def registered_early(enrolment) -> bool:
    return maternal.registered_early(lmp_of(enrolment.details), enrolment.enrolled_on)


LABELS = {
    maternal.NORMAL: _("正常"), maternal.HIGH_RISK: _("高危"),
    maternal.R_BP: _("血压≥140/90mmHg，建议转诊"), maternal.R_AGE: _("高龄孕产妇（≥35岁）"),
    maternal.R_ANAEMIA: _("贫血（血红蛋白<110g/L）"), maternal.R_FLAGGED: _("存在高危因素"),
    maternal.R_LATE_REGISTRATION: _("孕13周后建册"),
    **{f"contact_{c}": lbl for c, lbl in CONTACT_LABELS.items()},
}

PROGRAMME = ProgrammeDef(
    code=maternal.PROGRAMME, label=_("孕产妇健康管理"), service_label=_("孕产妇健康管理随访"), rules=maternal,
    details_form=MaternalDetails, enrolment_form=MaternalEnrolment, icd10_check=lambda code: "", build_visit=_visit,
    controlled=lambda data, age: None, shows_vitals=True, medication_fields=False,
    print_title=_("孕产妇健康管理服务记录表"), recorder=record_visit, enrol_defaults=_defaults,
    eligible=None, labels=LABELS)
register(PROGRAMME)
labels.CLASSIFICATIONS.update({k: v for k, v in LABELS.items() if k in maternal.CLASSIFICATIONS})
labels.REASONS.update({k: v for k, v in LABELS.items() if k not in maternal.CLASSIFICATIONS})
