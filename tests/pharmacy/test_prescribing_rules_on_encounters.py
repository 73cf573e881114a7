"""Prescriptions on encounters are checked by rules/prescribing.py through the actions: the tier catalog, the
prescriber's antibiotic level, controlled drugs, the 12-week ceiling; each refusal is a field error."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.pharmacy import actions

from . import helpers as h


def _refused(s, doctor, enc, d, **kw):
    with pytest.raises(ValidationError) as exc:
        actions.issue_prescription(doctor, encounter=enc, days=kw.pop("days", 7),
                                   lines=[{"drug": d, "quantity": 1}], **kw)
    return exc.value.message_dict


def test_a_village_doctor_may_not_prescribe_a_restricted_antibiotic(scenario):
    s = scenario
    cef = h.drug(s, code="K001", name="头孢呋辛酯片", antibiotic_level="restricted")
    amox = h.drug(s, code="K002", name="阿莫西林胶囊", antibiotic_level="unrestricted")
    enc = h.encounter(s)
    errors = _refused(s, s.village_doctor_a, enc, cef)
    assert "抗菌药物" in errors["lines.0.drug"][0]
    assert actions.issue_prescription(s.village_doctor_a, encounter=enc, days=5,
                                      lines=[{"drug": amox, "quantity": 2}]).pk


def test_an_intermediate_township_doctor_may_prescribe_restricted_but_not_special(scenario):
    s = scenario
    cef = h.drug(s, code="K001", name="头孢呋辛酯片", antibiotic_level="restricted")
    mero = h.drug(s, code="K003", name="美罗培南", antibiotic_level="special", tiers=("county", "township"))
    enc = h.encounter(s, doctor=s.township_doctor, institution=s.centre_1)
    assert actions.issue_prescription(s.township_doctor, encounter=enc, days=5,
                                      lines=[{"drug": cef, "quantity": 1}]).pk
    assert "lines.0.drug" in _refused(s, s.township_doctor, enc, mero)


def test_controlled_drugs_never_on_a_long_prescription_and_not_off_the_tier_catalog(scenario):
    s = scenario
    dzp = h.drug(s, code="C001", name="地西泮片", controlled_class="psychotropic_2", tiers=("county", "township"))
    enc = h.encounter(s, doctor=s.township_doctor, institution=s.centre_1)
    errors = _refused(s, s.township_doctor, enc, dzp, long_term=True, days=28)
    assert "长期处方" in errors["lines.0.drug"][0]
    village_enc = h.encounter(s)
    errors = _refused(s, s.village_doctor_a, village_enc, dzp)
    assert "目录" in errors["lines.0.drug"][0]


def test_durations(scenario):
    s = scenario
    d = h.drug(s)
    enc = h.encounter(s)
    assert "days" in _refused(s, s.village_doctor_a, enc, d, long_term=True, days=91)
    assert "days" in _refused(s, s.village_doctor_a, enc, d, days=31)
    assert actions.issue_prescription(s.village_doctor_a, encounter=enc, long_term=True, days=84,
                                      lines=[{"drug": d, "quantity": 12}]).days == 84


def test_nobody_prescribes_on_another_institutions_encounter(scenario):
    s = scenario
    d = h.drug(s)
    enc = h.encounter(s)
    with pytest.raises(PermissionDenied):
        actions.issue_prescription(s.village_doctor_b, encounter=enc, days=7, lines=[{"drug": d, "quantity": 1}])
    with pytest.raises(PermissionDenied):
        actions.issue_prescription(s.township_doctor, encounter=enc, days=7, lines=[{"drug": d, "quantity": 1}])
