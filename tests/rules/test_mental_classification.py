"""rules/mental.py: the six diseases and ICD-10, risk levels 0–5, 稳定/基本稳定/不稳定 and their schedules
(spec §Severe mental disorders)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import mental as m
from yigongti.rules.chronic import RuleError

DAY = dt.date(2026, 1, 31)


def visit(**kw):
    base = {"visit_date": DAY, "risk_level": 0, "psychotic_symptoms_obvious": False, "insight": "full",
            "social_function": "good", "adverse_reaction": "none", "serious_physical_illness": False}
    base.update(kw)
    return m.MentalVisit(**base)


def test_six_diseases_and_six_risk_levels():
    assert len(m.DISEASES) == 6
    assert sorted(m.RISK_LEVELS) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(("code", "secondary", "expected"), [
    ("F20.0", (), "schizophrenia"), ("f25", (), "schizoaffective"), ("F22.0", (), "persistent_delusional"),
    ("F31.2", (), "bipolar"), ("F06.8", ("G40.9",), "epilepsy_mental_disorder"), ("F06.8", (), None),
    ("F70", (), "intellectual_disability_mental_disorder"), ("F79.1", (), "intellectual_disability_mental_disorder"),
    ("F32", (), None), ("I10", (), None),
])
def test_icd10_to_disease(code, secondary, expected):
    assert m.disease_for_icd10(code, secondary_codes=secondary) == expected


def test_stable_keeps_the_plan_for_three_months():
    d = m.classify(visit(), None)
    assert (d.classification, d.referral, d.next_due, d.reasons) == ("stable", "", dt.date(2026, 4, 30),
                                                                     ("risk_level_0",))


def test_fair_social_function_and_a_mild_reaction_are_still_stable():
    assert m.classify(visit(social_function="fair", adverse_reaction="mild"), None).classification == "stable"


@pytest.mark.parametrize("level", [3, 4, 5])
def test_risk_3_to_5_is_unstable_and_urgent(level):
    d = m.classify(visit(risk_level=level), "stable")
    assert (d.classification, d.referral, d.next_due) == ("unstable", "urgent", DAY + dt.timedelta(days=14))
    assert d.reasons == (f"risk_level_{level}",)


@pytest.mark.parametrize(("kw", "reason"), [
    ({"psychotic_symptoms_obvious": True}, "psychotic_symptoms_obvious"),
    ({"insight": "none"}, "no_insight"),
    ({"adverse_reaction": "acute"}, "acute_adverse_reaction"),
    ({"serious_physical_illness": True}, "serious_physical_illness"),
])
def test_each_unstable_criterion_alone(kw, reason):
    d = m.classify(visit(**kw), None)
    assert (d.classification, d.referral, d.reasons) == ("unstable", "urgent", (reason,))


def test_unstable_wins_over_basically_stable_and_lists_all_reasons():
    d = m.classify(visit(risk_level=4, insight="none", social_function="poor", serious_physical_illness=True),
                   "basically_stable")
    assert d.classification == "unstable"
    assert d.reasons == ("risk_level_4", "no_insight", "serious_physical_illness")


@pytest.mark.parametrize(("kw", "reasons"), [
    ({"risk_level": 1}, ("risk_level_1",)), ({"risk_level": 2}, ("risk_level_2",)),
    ({"insight": "partial"}, ("partial_insight",)), ({"social_function": "poor"}, ("social_function_poor",)),
    ({"symptoms_largely_gone": False}, ("psychotic_symptoms_remain",)),
])
def test_basically_stable_first_time_rechecks_in_two_weeks(kw, reasons):
    d = m.classify(visit(**kw), "stable")
    assert (d.classification, d.referral, d.next_due) == ("basically_stable", "", DAY + dt.timedelta(days=14))
    assert d.reasons == (*reasons, "recheck_in_2_weeks")


def test_still_basically_stable_at_the_recheck_gets_specialist_guidance_and_one_month():
    d = m.classify(visit(risk_level=1), "basically_stable")
    assert (d.classification, d.referral, d.next_due) == ("basically_stable", "", dt.date(2026, 2, 28))
    assert d.reasons == ("risk_level_1", "specialist_guidance")
    d = m.classify(visit(risk_level=1, previous_basically_stable_checks=2), None)
    assert d.reasons[-1] == "specialist_guidance"


def test_stable_at_the_recheck_goes_back_to_three_months():
    d = m.classify(visit(), "basically_stable")
    assert (d.classification, d.next_due) == ("stable", dt.date(2026, 4, 30))


def test_intervals_are_parameters():
    d = m.classify(visit(risk_level=2), None, recheck_days=7)
    assert d.next_due == DAY + dt.timedelta(days=7)
    assert m.classify(visit(), None, stable_interval_months=2).next_due == dt.date(2026, 3, 31)
    assert m.classify(visit(risk_level=3), None, unstable_interval_days=10).next_due == DAY + dt.timedelta(days=10)
    d = m.classify(visit(risk_level=2), "basically_stable", specialist_interval_months=2)
    assert d.next_due == dt.date(2026, 3, 31)


@pytest.mark.parametrize(("kw", "code"), [
    ({"risk_level": 6}, "unknown_risk_level"), ({"risk_level": -1}, "unknown_risk_level"),
    ({"insight": "some"}, "unknown_insight"), ({"social_function": "bad"}, "unknown_social_function"),
    ({"adverse_reaction": "severe"}, "unknown_adverse_reaction"),
    ({"previous_basically_stable_checks": -1}, "negative_count"),
])
def test_bad_input_raises_a_code(kw, code):
    with pytest.raises(RuleError) as info:
        m.classify(visit(**kw), None)
    assert info.value.code == code


def test_unknown_previous_classification():
    with pytest.raises(RuleError):
        m.classify(visit(), "satisfied")


@pytest.mark.parametrize("level", range(6))
def test_risk_level_alone_decides_the_class(level):
    expected = "stable" if level == 0 else "basically_stable" if level <= 2 else "unstable"
    assert m.classify(visit(risk_level=level), None).classification == expected

visits_st = st.builds(m.MentalVisit, st.just(DAY), st.integers(0, 5), st.booleans(), st.sampled_from(m.INSIGHT),
                      st.sampled_from(m.SOCIAL_FUNCTION), st.sampled_from(m.ADVERSE), st.booleans(),
                      st.integers(0, 3), st.one_of(st.none(), st.booleans()))


@given(visits_st, st.sampled_from([None, *m.CLASSIFICATIONS]))
def test_unstable_exactly_when_a_criterion_holds_and_only_unstable_is_referred(v, previous):
    d = m.classify(v, previous)
    criterion = (v.risk_level >= 3 or v.psychotic_symptoms_obvious or v.insight == "none"
                 or v.adverse_reaction == "acute" or v.serious_physical_illness)
    assert (d.classification == "unstable") == criterion
    assert (d.referral == "urgent") == criterion
    assert d.referral in ("", "urgent")
    if d.classification == "stable":
        assert v.risk_level == 0 and v.insight == "full" and v.social_function != "poor"
    assert DAY < d.next_due <= DAY + dt.timedelta(days=92)
