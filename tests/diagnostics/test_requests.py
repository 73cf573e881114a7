"""A clinic requests a reading for a resident; who may, and what bad input answers."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.diagnostics import actions
from yigongti.diagnostics.models import Request

from . import helpers

pytestmark = pytest.mark.django_db


def test_it_works(scenario):
    r = helpers.request(scenario, priority="urgent")
    assert r.status == "requested" and r.modality == "ecg" and r.priority == "urgent"
    assert r.number.startswith("JC") and r.number.endswith(f"{r.pk:06d}")
    assert r.requesting_doctor == scenario.village_doctor_a and r.centre.institution == scenario.county_hospital
    assert AuditEntry.objects.filter(object_type="diagnostics.Request", object_id=str(r.pk)).exists()


def test_every_modality_is_orderable_with_its_loinc_code(scenario):
    from yigongti.diagnostics.models import Test

    helpers.centre(scenario)
    codes = dict(Test.objects.values_list("code", "loinc"))
    assert codes["ECG12"] == "11524-6" and codes["LAB-CBC"] == "58410-2" and codes["CT-HEAD"] == "30799-1"
    assert {t.modality for t in Test.objects.all()} == {"ecg", "dr", "us", "ct", "lab"}
    patient = helpers.resident(scenario)
    for code in codes:
        assert helpers.request(scenario, code, patient=patient).modality == Test.objects.get(code=code).modality


def test_it_validates_ownership(scenario):
    with pytest.raises(PermissionDenied):
        helpers.request(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_a)
    with pytest.raises(PermissionDenied):
        helpers.request(scenario, doctor=scenario.audit_admin, institution=scenario.county_hospital)


def test_a_resident_the_doctor_may_not_see_is_refused(scenario):
    other = helpers.resident(scenario, village="village_c")
    with pytest.raises(ValidationError) as exc:
        helpers.request(scenario, patient=other)
    assert "resident" in exc.value.message_dict


def test_bad_input_gives_field_errors(scenario):
    c = helpers.centre(scenario)
    c.modalities = ["ecg"]
    c.save()
    with pytest.raises(ValidationError) as exc:
        helpers.request(scenario, "CT-HEAD", priority="whenever", clinical_info="x" * 2001)
    assert set(exc.value.message_dict) == {"centre", "priority", "clinical_info"}
    assert Request.objects.count() == 0


def test_cancel_needs_a_reason_and_the_requester(scenario):
    r = helpers.request(scenario)
    with pytest.raises(ValidationError):
        actions.cancel_request(scenario.village_doctor_a, r, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.cancel_request(scenario.county_specialist, r, reason="误开")
    actions.cancel_request(scenario.village_doctor_a, r, reason="误开")
    assert r.status == "cancelled"
    with pytest.raises(ValidationError):
        actions.claim_request(scenario.county_specialist, r)
