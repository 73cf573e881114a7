"""Enrolment: primary hypertension only (I15 referred, not enrolled), one active enrolment per programme,
leaving with a reason, and the acting institution checked."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.chronic import actions
from yigongti.chronic.models import Enrolment

from . import helpers


def test_i15_is_refused_with_a_message_to_refer(scenario):
    with pytest.raises(ValidationError) as err:
        helpers.enrolment(scenario, code="I15.900")
    assert "转诊" in str(err.value.message_dict["icd10_code"])
    assert not Enrolment.objects.exists()


def test_one_active_enrolment_per_programme_then_again_after_leaving(scenario):
    e = helpers.enrolment(scenario)
    with pytest.raises(ValidationError):
        helpers.enrolment(scenario, patient=e.resident)
    actions.leave_programme(scenario.village_doctor_a, e, reason="diagnosis_revised", left_on=dt.date(2026, 1, 5))
    e.refresh_from_db()
    assert (e.status, e.leave_reason, e.left_on) == ("left", "diagnosis_revised", dt.date(2026, 1, 5))
    again = helpers.enrolment(scenario, patient=e.resident)
    assert again.status == "active"


def test_another_village_may_not_enrol_in_clinic_a(scenario):
    patient = helpers.resident(scenario)
    with pytest.raises(PermissionDenied):
        actions.enrol(scenario.village_doctor_c, resident=patient, programme="hypertension", icd10_code="I10.x00",
                      managing_institution=scenario.clinic_a)


def test_mental_enrolment_needs_the_programme_role(scenario):
    patient = helpers.resident(scenario)
    with pytest.raises(PermissionDenied):
        actions.enrol(scenario.township_doctor, resident=patient, programme="mental", icd10_code="F20.900",
                      managing_institution=scenario.centre_1)
