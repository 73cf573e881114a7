"""Referral test helpers: ICD-10 codes, residents, reserved beds and referrals made through the real actions.

Plain functions (no fixtures) so the isolation cases, the kpi fixture, the race test and the browser test
share them."""
from __future__ import annotations

import datetime as dt
import itertools

_seq = itertools.count(1)

CODES = [("S66.300", "手部指伸肌肌腱损伤"), ("I10.x00", "原发性高血压"), ("E11.900", "2型糖尿病"),
         ("J06.900", "急性上呼吸道感染"), ("I63.900", "脑梗死"), ("J44.900", "慢性阻塞性肺疾病"),
         ("C34.900", "肺恶性肿瘤"), ("K35.900", "急性阑尾炎")]


def icd() -> None:
    from yigongti.people.models import Icd10Code

    for code, name in CODES:
        Icd10Code.objects.get_or_create(code=code, defaults={"name": name})


def resident(s, *, village="village_a", name=None, scheme="resident"):
    """A resident of ``village`` registered by that village's doctor (no document: synthetic)."""
    from yigongti.people import actions

    icd()
    doctor = {"village_a": s.village_doctor_a, "village_b": s.village_doctor_b, "village_c": s.village_doctor_c}[village]
    clinic = {"village_a": s.clinic_a, "village_b": s.clinic_b, "village_c": s.clinic_c}[village]
    n = next(_seq)
    return actions.register_resident(doctor, institution=clinic, area=getattr(s, village),
                                     name=name or f"转诊患者{n}", sex="2", birth_date=dt.date(1960, 1, 1 + n % 27),
                                     document_type="none", phone=f"1381234{n:04d}", insurance_scheme=scheme,
                                     force=True)


def beds(s, n=2, institution=None):
    from yigongti.org import actions

    inst = institution or s.county_hospital
    start = inst.reserved_beds.count()
    return [actions.add_reserved_bed(None, inst, label=f"预留{start + i + 1}") for i in range(n)]


def draft(s, *, patient=None, doctor=None, frm=None, to=None, **fields):
    """A township doctor's up-referral draft to the county hospital (seed 000's example)."""
    from yigongti.referrals import actions

    patient = patient or resident(s)
    data = {"reason": "difficult", "primary_diagnosis": "S66.300", "referral_type": "inpatient",
            "diagnosis_text": "门诊诊断：手部指伸肌肌腱损伤 确诊",
            "condition_summary": "患者昨日被人打伤致左手中指疼痛不适，活动受限。",
            "treatment_advice": "建议至上级医院完善相关检查，行进一步诊疗", "consent": True, "consent_by": patient.name,
            "consent_relation": "本人"}
    data.update(fields)
    return actions.create_referral(doctor or s.township_doctor, from_institution=frm or s.centre_1,
                                   to_institution=to or s.county_hospital, resident=patient, **data)


def submitted(s, **kw):
    from yigongti.referrals import actions

    r = draft(s, **kw)
    return actions.submit_referral(kw.get("doctor") or s.township_doctor, r)


def accepted(s, *, reserve_bed=False, **kw):
    from yigongti.referrals import actions

    r = submitted(s, **kw)
    return actions.accept_referral(s.county_specialist, r, reserve_bed=reserve_bed)


def down_draft(s, *, patient=None, **fields):
    """The county hospital refers a stable patient down to township centre 1."""
    from yigongti.referrals import actions

    patient = patient or resident(s)
    data = {"reason": "stable_chronic", "primary_diagnosis": "I10.x00", "condition_summary": "血压控制平稳，转基层管理。",
            "consent": True, "consent_by": patient.name}
    data.update(fields)
    return actions.create_referral(s.county_specialist, from_institution=s.county_hospital,
                                   to_institution=s.centre_1, resident=patient, **data)
