"""record_exam, record_encounter, ingest_encounter, update/delete: validation and the event payloads."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti import events
from yigongti.people import actions
from yigongti.people.models import Encounter

from .conftest import register

DAY = dt.date(2025, 3, 10)


def visit(scenario, r, **kw):
    fields = {"kind": "outpatient", "visit_date": DAY, "primary_diagnosis": "I10.x00", "total_cost": "100.00",
              "drug_cost": "60.00", "medical_service_income": "30", "insurance_paid": "50", **kw}
    return actions.record_encounter(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r, **fields)


def test_an_exam_computes_bmi_and_publishes(scenario, published):
    r = register(scenario)
    exam = actions.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r, exam_date=DAY,
                               height=Decimal("160"), weight=Decimal("64"), systolic_left=150, diastolic_left=95,
                               fasting_glucose=Decimal("7.2"))
    assert exam.bmi == Decimal("25.0")
    vitals = [e for e in published if isinstance(e, events.VitalsRecorded)]
    assert vitals[0].systolic == 150 and vitals[0].fasting_glucose == 7.2 and vitals[0].source == "exam"
    assert any(isinstance(e, events.ServiceDelivered) and e.service_code == "health_exam" for e in published)
    assert any(isinstance(e, events.ExamChanged) and e.after["bmi"] == "25.0" for e in published)


def test_an_exam_rejects_impossible_values(scenario):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        actions.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r, exam_date=DAY,
                            systolic_left=80, diastolic_left=120, weight=Decimal("900"))
    assert {"diastolic_left", "weight"} <= set(exc.value.message_dict)


def test_an_encounter_publishes_the_agreed_payload(scenario, icd, published):
    r = register(scenario)
    enc = visit(scenario, r, systolic=160, diastolic=100)
    changed = [e for e in published if isinstance(e, events.EncounterChanged)]
    assert changed[0].before is None
    assert changed[0].after == {
        "resident_id": r.pk, "institution_id": scenario.clinic_a.pk, "department_id": None, "kind": "outpatient",
        "visit_date": "2025-03-10", "discharge_date": None, "total_cost": "100.00", "drug_cost": "60.00",
        "consumables_cost": "0.00", "medical_service_income": "30.00", "insurance_paid": "50.00", "is_tcm": False,
        "primary_diagnosis": "I10.x00", "area_id": scenario.village_a.pk}
    assert any(isinstance(e, events.VitalsRecorded) and e.source == "encounter" for e in published)
    served = [e for e in published if isinstance(e, events.ServiceDelivered)]
    assert [(e.service_code, e.source_id, e.delivered_on) for e in served] == [("encounter_outpatient", enc.pk, DAY)]
    actions.update_encounter(scenario.village_doctor_a, enc, enc.version, total_cost="120")
    assert len([e for e in published if isinstance(e, events.ServiceDelivered)]) == 1  # an edit is no new service
    update = [e for e in published if isinstance(e, events.EncounterChanged)][-1]
    assert update.before["total_cost"] == "100.00" and update.after["total_cost"] == "120.00"
    enc.refresh_from_db()
    actions.delete_encounter(scenario.village_doctor_a, enc)
    deleted = [e for e in published if isinstance(e, events.EncounterChanged)][-1]
    assert deleted.after is None and deleted.before["total_cost"] == "120.00"
    assert not Encounter.objects.exists()


def test_costs_are_checked_field_by_field(scenario, icd):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        visit(scenario, r, drug_cost="150", insurance_paid="-1")
    errors = exc.value.message_dict
    assert errors["drug_cost"] == ["不能超过总费用。"] and errors["insurance_paid"] == ["金额不能为负数。"]
    with pytest.raises(ValidationError) as exc:
        visit(scenario, r, drug_cost="60", consumables_cost="30", medical_service_income="30")
    assert "total_cost" in exc.value.message_dict


def test_diagnoses_must_be_in_the_catalogue(scenario, icd):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        visit(scenario, r, primary_diagnosis="Z99.999")
    assert "primary_diagnosis" in exc.value.message_dict


def test_an_institution_on_an_external_his_cannot_type_encounters(scenario, icd):
    from yigongti.org import actions as org_actions

    org_actions.update_institution(None, scenario.clinic_a, clinical_system="external_his")
    scenario.clinic_a.refresh_from_db()
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        visit(scenario, r)
    assert "HIS" in exc.value.messages[0]


def test_a_doctor_cannot_record_in_another_institutions_name(scenario, icd):
    r = register(scenario)
    with pytest.raises(PermissionDenied):
        actions.record_encounter(scenario.village_doctor_b, institution=scenario.clinic_a, resident=r,
                                 kind="outpatient", visit_date=DAY, primary_diagnosis="I10.x00")


def test_his_ingest_is_idempotent(scenario, icd, published):
    r = register(scenario)
    fields = {"resident": r, "kind": "inpatient", "visit_date": DAY, "discharge_date": DAY + dt.timedelta(days=5),
              "primary_diagnosis": "J44.900", "total_cost": Decimal("5000"), "drug_cost": Decimal("2000")}
    enc, status = actions.ingest_encounter(None, institution=scenario.county_hospital, external_id="ZY001", **fields)
    assert status == "created" and enc.source == "his"
    again, status = actions.ingest_encounter(None, institution=scenario.county_hospital, external_id="ZY001", **fields)
    assert (again.pk, status) == (enc.pk, "unchanged")
    fields["total_cost"] = Decimal("5200")
    _, status = actions.ingest_encounter(None, institution=scenario.county_hospital, external_id="ZY001", **fields)
    assert status == "updated" and Encounter.objects.count() == 1
    assert len([e for e in published if isinstance(e, events.EncounterChanged)]) == 2
    with pytest.raises(ValidationError):
        actions.update_encounter(scenario.county_specialist, enc, None, total_cost="1")
