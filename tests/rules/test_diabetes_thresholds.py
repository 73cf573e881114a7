"""rules/diabetes.py: glucose edges 3.9 / 7.0 / 16.7 exactly as written in spec §Type-2 diabetes, with
float, Decimal and string inputs, and the other emergency criteria."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import diabetes as d
from yigongti.rules.chronic import RuleError


@pytest.mark.parametrize("kind", [float, Decimal, str])
@pytest.mark.parametrize(("value", "expected"), [
    ("3.8", ("glucose_le_3_9",)), ("3.9", ("glucose_le_3_9",)), ("3.91", ()), ("4.0", ()),
    ("6.9", ()), ("7.0", ()), ("16.6", ()), ("16.69", ()), ("16.7", ("glucose_ge_16_7",)),
    ("16.8", ("glucose_ge_16_7",)), ("25", ("glucose_ge_16_7",)),
])
def test_glucose_emergency_edges(kind, value, expected):
    assert d.emergency_reasons(fasting_glucose=kind(value)) == expected


@pytest.mark.parametrize("kind", [float, Decimal, str])
@pytest.mark.parametrize(("value", "controlled"), [
    ("6.9", True), ("6.99", True), ("7.0", False), ("7", False), ("7.01", False), ("3.9", True)])
def test_controlled_is_below_7_0(kind, value, controlled):
    assert d.is_controlled(kind(value)) is controlled
    assert d.is_raised_glucose(kind(value)) is (not controlled)


def test_not_measured_is_not_controlled():
    assert d.is_controlled(None) is False


def test_float_edges_do_not_suffer_binary_rounding():
    # Decimal(3.9) (from the float) is 3.899999…; the rules compare the written value
    assert Decimal(3.9) < Decimal("3.9")
    assert d.emergency_reasons(fasting_glucose=3.9000001) == ()
    assert d.emergency_reasons(fasting_glucose=3.9) == ("glucose_le_3_9",)
    assert d.is_controlled(7.0) is False


def test_a_random_glucose_counts_for_the_emergency_rule():
    assert d.emergency_reasons(fasting_glucose=6.0, random_glucose=17.0) == ("glucose_ge_16_7",)
    assert d.emergency_reasons(random_glucose=3.5) == ("glucose_le_3_9",)


@pytest.mark.parametrize(("kw", "expected"), [
    ({"sbp": 179, "dbp": 109}, ()), ({"sbp": 180}, ("sbp_ge_180",)), ({"dbp": 110}, ("dbp_ge_110",)),
    ({"heart_rate": 100}, ()), ({"heart_rate": 101}, ("heart_rate_gt_100",)),
    ({"temperature": 39}, ()), ({"temperature": 39.0}, ()), ({"temperature": "39.1"}, ("temperature_gt_39",)),
    ({"sudden_vision_loss": True}, ("sudden_vision_loss",)), ({"cannot_handle": True}, ("cannot_handle",)),
    ({"pregnant_or_breastfeeding": True, "fasting_glucose": 6.9}, ()),
    ({"pregnant_or_breastfeeding": True, "fasting_glucose": 7.0}, ("pregnant_or_breastfeeding_raised_glucose",)),
    ({"pregnant_or_breastfeeding": True}, ()),
])
def test_other_emergency_criteria(kw, expected):
    assert d.emergency_reasons(**kw) == expected


@pytest.mark.parametrize("symptom", d.EMERGENCY_SYMPTOMS)
def test_each_emergency_symptom(symptom):
    assert d.emergency_reasons(symptoms={symptom}) == (f"symptom_{symptom}",)


def test_form_symptoms_that_are_not_emergency_signs_are_ignored():
    assert d.emergency_reasons(symptoms={"polyphagia", "leg_oedema", "none"}) == ()


def test_bad_numbers_raise_a_code():
    for bad in ("abc", float("nan"), True):
        with pytest.raises(RuleError) as info:
            d.emergency_reasons(fasting_glucose=bad)
        assert info.value.code == "not_a_number"


@given(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("40"), places=2))
def test_glucose_bands_partition_the_line(g):
    reasons = d.emergency_reasons(fasting_glucose=g)
    low, high = "glucose_le_3_9" in reasons, "glucose_ge_16_7" in reasons
    assert low == (g <= Decimal("3.9"))
    assert high == (g >= Decimal("16.7"))
    assert not (low and high)
    assert d.is_controlled(g) == (g < 7)
    assert d.is_controlled(float(g)) == (g < 7)   # floats of two-place decimals give the same answer


@pytest.mark.parametrize(("code", "expected"), [("E11", "enrol"), ("e11.9", "enrol"), ("E10", ""), ("E14", "")])
def test_only_type_2_is_enrolled(code, expected):
    assert d.icd10_enrolment(code) == expected
