"""Attach with one click also brings the resident's chronic-programme follow-ups and the latest medication list,
read through the chronic app's scoped queries (skipped while that app's actions are not in the shape used here)."""
import datetime as dt

import pytest
from django.utils import timezone

from yigongti.referrals import actions

from . import helpers


def test_follow_ups_and_medications_are_attached(scenario):
    s = scenario
    chronic = pytest.importorskip("yigongti.chronic.actions")
    patient = helpers.resident(s)
    today = timezone.localdate()
    try:
        enrolment = chronic.enrol(s.village_doctor_a, resident=patient, programme="hypertension",
                                  icd10_code="I10.x00", diagnosis_date=today - dt.timedelta(days=400),
                                  managing_institution=s.clinic_a, managing_doctor=s.village_doctor_a,
                                  enrolled_on=today - dt.timedelta(days=60))
        chronic.record_followup(s.village_doctor_a, enrolment, institution=s.clinic_a,
                                visit_date=today - dt.timedelta(days=10), mode="clinic", systolic=168, diastolic=102,
                                medications=[{"drug": "氨氯地平片", "dose": "5mg", "times": "每日1次"}])
    except (TypeError, AttributeError) as exc:  # the chronic app changed its signature: say so, do not fail here
        pytest.skip(f"chronic actions not in the expected shape: {exc}")
    r = helpers.draft(s, patient=patient)
    assert actions.attach_recent_results(s.township_doctor, r) >= 2
    kinds = {a.kind: a for a in r.attachments.all()}
    assert "168/102" in kinds["followup"].summary
    assert "氨氯地平片 5mg 每日1次" in kinds["medication"].summary
