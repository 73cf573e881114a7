"""Pharmacist review (a setting: before dispensing or sampled afterwards), returns, and the encounter's drug
cost: for institutions whose clinical system is yigongti the dispensed prescriptions are its only source;
an institution on an external HIS prescribes there (nothing here)."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.org.models import Institution
from yigongti.pharmacy import actions
from yigongti.pharmacy.models import RxStatus
from yigongti.tasks.models import Task

from . import helpers as h


def test_review_before_dispensing(scenario, settings):
    settings.YIGONGTI_PHARMACY = {"REVIEW_MODE": "before"}
    s = scenario
    d = h.drug(s)
    h.stock(s, s.clinic_a, d, 10)
    rx = h.prescription(s, d, 2)
    assert Task.objects.filter(kind="pharmacy_review", institution=s.centre_1).exists()
    with pytest.raises(ValidationError):
        actions.dispense_prescription(s.village_doctor_a, rx)
    with pytest.raises(PermissionDenied):  # not one's own prescription
        actions.review_prescription(s.village_doctor_a, rx, "pass")
    with pytest.raises(ValidationError):
        actions.review_prescription(s.township_doctor, rx, "fail")  # a failing review needs a note
    actions.review_prescription(s.township_doctor, rx, "pass")
    assert actions.dispense_prescription(s.village_doctor_a, rx).status == RxStatus.DISPENSED


def test_sampled_review_after_dispensing(scenario, settings):
    settings.YIGONGTI_PHARMACY = {"REVIEW_MODE": "sampled", "SAMPLE_EVERY": 1}
    s = scenario
    d = h.drug(s)
    h.stock(s, s.clinic_a, d, 10)
    rx = h.prescription(s, d, 2)
    assert rx.sampled
    actions.dispense_prescription(s.village_doctor_a, rx)
    rx = actions.review_prescription(s.township_doctor, rx, "fail", "剂量偏大")
    assert (rx.status, rx.review) == (RxStatus.DISPENSED, "fail")


def test_a_return_puts_stock_back_and_the_drug_cost_follows(scenario):
    s = scenario
    d = h.drug(s, price="2.00")
    h.stock(s, s.clinic_a, d, 10)
    enc = h.encounter(s, total="20.00", drug_cost="5.00")  # a typed drug cost is replaced by the dispensed one
    rx = h.prescription(s, d, 3, enc=enc)
    actions.dispense_prescription(s.village_doctor_a, rx)
    enc.refresh_from_db()
    assert (enc.drug_cost, enc.total_cost) == (Decimal("6.00"), Decimal("21.00"))
    actions.return_prescription(s.village_doctor_a, rx, "患者过敏")
    enc.refresh_from_db()
    assert (enc.drug_cost, enc.total_cost) == (Decimal("0.00"), Decimal("15.00")) and h.on_hand(s.clinic_a, d) == 10


def test_an_external_his_institution_prescribes_in_its_his(scenario):
    s = scenario
    d = h.drug(s)
    enc = h.encounter(s, doctor=s.township_doctor, institution=s.centre_1)
    Institution.objects.filter(pk=s.centre_1.pk).update(clinical_system="external_his")
    enc.institution.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.issue_prescription(s.township_doctor, encounter=enc, days=7, lines=[{"drug": d, "quantity": 1}])


def test_current_medications_come_from_running_dispensed_prescriptions(scenario):
    import datetime as dt

    from yigongti.pharmacy import queries

    s = scenario
    d = h.drug(s)
    other = h.drug(s, code="Y002", name="盐酸二甲双胍片")
    h.stock(s, s.clinic_a, d, 20)
    h.stock(s, s.clinic_a, other, 20)
    patient = h.patient(s)
    enc = h.encounter(s, resident=patient)
    rx = actions.issue_prescription(s.village_doctor_a, encounter=enc, long_term=True, days=84,
                                    lines=[{"drug": d, "quantity": 12, "dosage": "每日1片"}])
    actions.dispense_prescription(s.village_doctor_a, rx)
    h.prescription(s, other, 2, enc=enc)  # issued, not dispensed: not current
    meds = queries.current_medications(patient.pk)
    assert [(m["name"], m["dosage"], m["until"]) for m in meds] == [
        (str(d), "每日1片", h.today() + dt.timedelta(days=83))]
    assert queries.current_medications(patient.pk, on=h.today() + dt.timedelta(days=84)) == []
