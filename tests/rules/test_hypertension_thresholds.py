"""rules/hypertension.py: the BP edges exactly as written in spec §Hypertension (139/89, 140/90, 179/109,
180/110), high-normal, the elderly target and the high-risk factors."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import hypertension as h


@pytest.mark.parametrize(("sbp", "dbp", "raised"), [
    (139, 89, False), (140, 89, True), (139, 90, True), (140, 90, True),
    (120, 80, False), (200, 60, True), (110, 100, True),
    (None, 89, False), (None, 90, True), (140, None, True), (None, None, False),
])
def test_raised_is_140_and_or_90(sbp, dbp, raised):
    assert h.is_raised(sbp, dbp) is raised


@pytest.mark.parametrize(("sbp", "dbp", "expected"), [
    (129, 84, False), (130, 84, True), (129, 85, True), (139, 89, True), (135, 70, True), (110, 87, True),
    (140, 80, False), (120, 90, False), (140, 89, False),
])
def test_high_normal_is_130_139_and_or_85_89_and_not_raised(sbp, dbp, expected):
    assert h.is_high_normal(sbp, dbp) is expected


@pytest.mark.parametrize(("sbp", "dbp", "expected"), [
    (179, 109, ()), (180, 109, ("sbp_ge_180",)), (179, 110, ("dbp_ge_110",)),
    (180, 110, ("sbp_ge_180", "dbp_ge_110")), (185, 115, ("sbp_ge_180", "dbp_ge_110")),
    (None, None, ()), (None, 110, ("dbp_ge_110",)),
])
def test_emergency_is_180_and_or_110(sbp, dbp, expected):
    assert h.emergency_reasons(sbp, dbp) == expected


@pytest.mark.parametrize("symptom", h.EMERGENCY_SYMPTOMS)
def test_each_emergency_symptom_is_its_own_reason(symptom):
    assert h.emergency_reasons(120, 80, symptoms=frozenset({symptom})) == (f"symptom_{symptom}",)


def test_non_emergency_symptoms_are_ignored_by_the_emergency_rule():
    assert h.emergency_reasons(120, 80, symptoms=frozenset({"headache_dizziness", "leg_oedema"})) == ()


def test_form_boxes_with_the_same_words_as_emergency_signs_share_the_code():
    assert h.FORM_SYMPTOMS[3] in h.EMERGENCY_SYMPTOMS   # 恶心呕吐
    assert h.FORM_SYMPTOMS[6] in h.EMERGENCY_SYMPTOMS   # 心悸胸闷
    assert h.FORM_SYMPTOMS[2] not in h.EMERGENCY_SYMPTOMS  # 头痛头晕 is not 剧烈头痛或头晕


def test_emergency_reasons_keep_a_fixed_order():
    reasons = h.emergency_reasons(190, 120, symptoms=frozenset({"eye_pain", "altered_consciousness"}),
                                  pregnant_or_breastfeeding=True, cannot_handle=True)
    assert reasons == ("sbp_ge_180", "dbp_ge_110", "symptom_altered_consciousness", "symptom_eye_pain",
                       "pregnant_or_breastfeeding_raised_bp", "cannot_handle")


@pytest.mark.parametrize(("sbp", "dbp", "emergency"), [(139, 89, False), (140, 80, True), (120, 90, True)])
def test_pregnancy_is_an_emergency_only_with_raised_bp(sbp, dbp, emergency):
    reasons = h.emergency_reasons(sbp, dbp, pregnant_or_breastfeeding=True)
    assert (reasons == ("pregnant_or_breastfeeding_raised_bp",)) is emergency


def test_cannot_handle_alone_is_an_emergency():
    assert h.emergency_reasons(120, 80, cannot_handle=True) == ("cannot_handle",)


@pytest.mark.parametrize(("sbp", "dbp", "age", "controlled"), [
    (139, 89, 50, True), (140, 89, 50, False), (139, 90, 50, False),
    (139, 89, 64, True), (145, 85, 64, False),
    (145, 85, 65, True), (149, 89, 65, True), (150, 89, 65, False), (149, 90, 65, False),
    (145, 85, None, False), (None, 80, 50, False), (120, None, 50, False),
])
def test_control_target_is_140_90_and_150_90_from_65(sbp, dbp, age, controlled):
    assert h.is_controlled(sbp, dbp, age) is controlled


def test_the_elderly_target_and_age_are_parameters():
    assert h.is_controlled(145, 85, 70, elderly_target=(140, 90)) is False
    assert h.is_controlled(145, 85, 62, elderly_age=60) is True
    assert h.target_for(80, elderly_target=(160, 95)) == (160, 95)


@given(st.integers(60, 260), st.integers(30, 160), st.integers(60, 260), st.integers(30, 160))
def test_raised_and_emergency_are_monotone(s1, d1, s2, d2):
    low, high = (min(s1, s2), min(d1, d2)), (max(s1, s2), max(d1, d2))
    if h.is_raised(*low):
        assert h.is_raised(*high)
    if h.emergency_reasons(*low):
        assert h.emergency_reasons(*high)
    if h.is_controlled(*high, 50):
        assert h.is_controlled(*low, 50)
    assert not (h.is_raised(*low) and h.is_high_normal(*low))


def test_high_risk_factors_each_with_its_edge():
    assert h.high_risk_reasons() == ()
    assert h.high_risk_reasons(sbp=130, dbp=80) == ("bp_high_normal",)
    assert h.high_risk_reasons(sbp=140, dbp=80) == ()          # raised is not high-risk: it is screening
    assert h.high_risk_reasons(bmi=23.9) == ()
    assert h.high_risk_reasons(bmi=24) == ("bmi_overweight",)
    assert h.high_risk_reasons(bmi=27.9) == ("bmi_overweight",)
    assert h.high_risk_reasons(bmi=28) == ("bmi_obese",)
    assert h.high_risk_reasons(waist_cm=89.9, sex="1") == ()
    assert h.high_risk_reasons(waist_cm=90, sex="1") == ("central_obesity",)
    assert h.high_risk_reasons(waist_cm=85, sex="2") == ("central_obesity",)
    assert h.high_risk_reasons(waist_cm=84.9, sex="female") == ()
    assert h.high_risk_reasons(waist_cm=88, sex="male") == ()
    assert h.high_risk_reasons(waist_cm=100, sex=None) == ()    # the waist rule needs the sex
    assert h.high_risk_reasons(liquor_ml_per_day=99) == ()
    assert h.high_risk_reasons(liquor_ml_per_day=100) == ("liquor_ge_100ml",)
    assert h.high_risk_reasons(age=54) == ()
    assert h.high_risk_reasons(age=55) == ("age_ge_55",)
    assert h.high_risk_reasons(sbp=135, dbp=85, bmi=30, waist_cm=95, sex="1", family_history=True,
                               high_salt=True, liquor_ml_per_day=150, age=60) == (
        "bp_high_normal", "bmi_obese", "central_obesity", "family_history", "high_salt", "liquor_ge_100ml",
        "age_ge_55")


@pytest.mark.parametrize(("code", "expected"), [
    ("I10", "enrol"), ("I10.x00", "enrol"), ("i11.9", "enrol"), ("I12", "enrol"), ("I13.0", "enrol"),
    ("I15.0", "refer"), ("I15", "refer"), ("E11", ""), ("I20", ""),
])
def test_only_primary_hypertension_is_enrolled(code, expected):
    assert h.icd10_enrolment(code) == expected
