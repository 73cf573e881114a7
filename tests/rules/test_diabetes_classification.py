"""rules/diabetes.py classify: spec §Type-2 diabetes "Classification" paths, most severe wins, two
consecutive ≥7.0, emergency → urgent, next due."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import diabetes as d
from yigongti.rules.chronic import RuleError

DAY = dt.date(2026, 3, 10)
ROUTINE = DAY + dt.timedelta(days=90)
TWO_WEEKS = DAY + dt.timedelta(days=14)


def visit(glucose="6.2", **kw):
    return d.DiabetesVisit(visit_date=DAY, fasting_glucose=Decimal(glucose), **kw)


def test_satisfied_below_7():
    dec = d.classify(visit("6.9"), None)
    assert (dec.classification, dec.referral, dec.next_due, dec.reasons) == (
        "satisfied", "", ROUTINE, ("glucose_on_target",))


def test_7_0_is_unsatisfied_first_time():
    dec = d.classify(visit("7.0"), "satisfied")
    assert (dec.classification, dec.referral, dec.next_due, dec.reasons) == (
        "unsatisfied", "", TWO_WEEKS, ("glucose_not_on_target",))


def test_two_consecutive_at_or_above_7_advise_referral():
    dec = d.classify(visit("7.0"), "unsatisfied")
    assert (dec.classification, dec.referral, dec.next_due) == ("unsatisfied", "advised", TWO_WEEKS)
    assert "two_consecutive_unsatisfied" in dec.reasons


def test_back_on_target_after_unsatisfied():
    assert d.classify(visit("6.5"), "unsatisfied").referral == ""


def test_adverse_reaction_two_weeks_no_referral():
    dec = d.classify(visit(adverse_reaction=True), None)
    assert (dec.classification, dec.referral, dec.next_due) == ("adverse_reaction", "", TWO_WEEKS)


def test_uncontrolled_adverse_reaction_is_referred_unless_switched_off():
    assert d.classify(visit(adverse_uncontrolled=True), None).referral == "advised"
    dec = d.classify(visit(adverse_uncontrolled=True), None, refer_uncontrolled_adverse=False)
    assert (dec.classification, dec.referral) == ("adverse_reaction", "")


def test_complication_advises_referral_and_wins():
    dec = d.classify(visit("8.0", adverse_reaction=True, complication_new_or_worse=True), None)
    assert (dec.classification, dec.referral, dec.next_due) == ("complication", "advised", TWO_WEEKS)
    assert dec.reasons == ("glucose_not_on_target", "adverse_reaction", "complication_new_or_worse")


@pytest.mark.parametrize(("glucose", "referral", "classification"), [
    ("3.8", "urgent", "satisfied"), ("3.9", "urgent", "satisfied"), ("4.0", "", "satisfied"),
    ("16.6", "", "unsatisfied"), ("16.7", "urgent", "unsatisfied"), ("20.1", "urgent", "unsatisfied")])
def test_glucose_emergencies(glucose, referral, classification):
    dec = d.classify(visit(glucose), None)
    assert (dec.classification, dec.referral) == (classification, referral)
    assert dec.next_due == (ROUTINE if referral == "" and classification == "satisfied" else TWO_WEEKS)


def test_bp_emergency_in_a_diabetes_visit():
    dec = d.classify(visit(sbp=185, dbp=115), None)
    assert dec.referral == "urgent"
    assert dec.reasons[:2] == ("sbp_ge_180", "dbp_ge_110")


def test_urgent_beats_advised():
    dec = d.classify(visit("17.0"), "unsatisfied")
    assert dec.referral == "urgent"
    assert dec.reasons == ("glucose_ge_16_7", "glucose_not_on_target", "two_consecutive_unsatisfied")


def test_missing_glucose_and_bad_codes_raise():
    with pytest.raises(RuleError) as info:
        d.classify(d.DiabetesVisit(DAY, None), None)
    assert info.value.code == "glucose_required"
    with pytest.raises(RuleError):
        d.classify(visit(), "stable")
    with pytest.raises(RuleError):
        d.classify(visit(symptoms=frozenset({"xyz"})), None)


def test_float_glucose_works_like_decimal():
    assert d.classify(d.DiabetesVisit(DAY, 7.0), None).classification == "unsatisfied"
    assert d.classify(d.DiabetesVisit(DAY, 3.9), None).referral == "urgent"


RANK = {c: i for i, c in enumerate(d.CLASSIFICATIONS)}


@given(st.decimals(min_value=Decimal("4.0"), max_value=Decimal("30"), places=1),
       st.decimals(min_value=0, max_value=10, places=1), st.sampled_from([None, *d.CLASSIFICATIONS]))
def test_above_the_hypoglycaemia_edge_classification_is_monotone_in_glucose(g, delta, previous):
    low = d.classify(d.DiabetesVisit(DAY, g), previous)
    high = d.classify(d.DiabetesVisit(DAY, g + delta), previous)
    assert RANK[high.classification] >= RANK[low.classification]
    assert ["", "advised", "urgent"].index(high.referral) >= ["", "advised", "urgent"].index(low.referral)
