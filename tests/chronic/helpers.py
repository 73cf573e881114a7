"""Chronic-programme test helpers: ICD-10 codes, residents and enrolments made through the real actions.

Plain functions (no fixtures) so the isolation cases, the kpi fixture and the browser test share them."""
from __future__ import annotations

import datetime as dt
import itertools

_seq = itertools.count(1)

CODES = [("I10.x00", "原发性高血压"), ("I11.900", "高血压性心脏病"), ("I15.900", "继发性高血压"),
         ("E11.900", "2型糖尿病"), ("F20.900", "精神分裂症"), ("A15.000", "肺结核，经显微镜下痰检查证实")]

VILLAGES = {"village_a": ("village_doctor_a", "clinic_a"), "village_b": ("village_doctor_b", "clinic_b"),
            "village_c": ("village_doctor_c", "clinic_c")}


def icd() -> None:
    from yigongti.people.models import Icd10Code

    for code, name in CODES:
        Icd10Code.objects.get_or_create(code=code, defaults={"name": name})


def resident(s, *, village="village_a", name=None, born=dt.date(1956, 3, 2), sex="1", phone=None):
    from yigongti.people import actions

    icd()
    doctor_attr, clinic_attr = VILLAGES[village]
    n = next(_seq)
    return actions.register_resident(getattr(s, doctor_attr), institution=getattr(s, clinic_attr),
                                     area=getattr(s, village), name=name or f"慢病患者{n}", sex=sex,
                                     birth_date=born, document_type="none",
                                     phone=phone or f"1390000{n:04d}", force=True)


def enrolment(s, *, village="village_a", programme="hypertension", code=None, enrolled_on=None, patient=None,
              details=None, **kw):
    from yigongti.chronic import actions

    doctor_attr, clinic_attr = VILLAGES[village]
    code = code or {"hypertension": "I10.x00", "diabetes": "E11.900", "mental": "F20.900", "tb": "A15.000"}[programme]
    actor = s.mental_health_doctor if programme == "mental" else getattr(s, doctor_attr)
    inst = s.centre_1 if programme == "mental" else getattr(s, clinic_attr)
    patient = patient or resident(s, village=village, **kw)
    return actions.enrol(actor, resident=patient, programme=programme, icd10_code=code,
                         diagnosis_date=dt.date(2025, 6, 1), diagnosing_institution=s.centre_1,
                         managing_institution=inst, managing_doctor=actor,
                         enrolled_on=enrolled_on or dt.date(2025, 6, 1), details=details)


def followup(s, e, *, village="village_a", visit_date=None, mode="clinic", sbp=132, dbp=82, **data):
    from yigongti.chronic import actions

    doctor_attr, clinic_attr = VILLAGES[village]
    return actions.record_followup(getattr(s, doctor_attr), e, institution=getattr(s, clinic_attr),
                                   visit_date=visit_date or dt.date(2026, 11, 20), mode=mode, systolic=sbp,
                                   diastolic=dbp, **data)
