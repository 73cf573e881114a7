"""rules/hypertension.py classify: each path of spec §Hypertension "Classification", most severe wins,
two consecutive 不满意, emergency → urgent, and the next due date."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import hypertension as h
from yigongti.rules.chronic import RuleError

DAY = dt.date(2026, 11, 23)
ROUTINE = DAY + dt.timedelta(days=90)
TWO_WEEKS = DAY + dt.timedelta(days=14)


def visit(sbp=128, dbp=78, age=58, **kw):
    return h.HypertensionVisit(visit_date=DAY, sbp=sbp, dbp=dbp, age=age, **kw)


def test_satisfied_books_the_quarterly_visit():
    d = h.classify(visit(), None)
    assert (d.classification, d.referral, d.next_due) == ("satisfied", "", ROUTINE)
    assert d.reasons == ("bp_on_target",)


def test_139_89_is_satisfied_and_140_90_is_not():
    assert h.classify(visit(139, 89), None).classification == "satisfied"
    for sbp, dbp in [(140, 89), (139, 90), (140, 90)]:
        d = h.classify(visit(sbp, dbp), None)
        assert (d.classification, d.referral, d.next_due) == ("unsatisfied", "", TWO_WEEKS)
        assert d.reasons == ("bp_not_on_target",)


def test_first_unsatisfied_after_satisfied_is_not_referred():
    assert h.classify(visit(150, 95), "satisfied").referral == ""


def test_two_consecutive_unsatisfied_advise_referral():
    d = h.classify(visit(150, 95), "unsatisfied")
    assert (d.classification, d.referral, d.next_due) == ("unsatisfied", "advised", TWO_WEEKS)
    assert d.reasons == ("bp_not_on_target", "two_consecutive_unsatisfied")


def test_satisfied_after_unsatisfied_breaks_the_run():
    d = h.classify(visit(130, 80), "unsatisfied")
    assert (d.classification, d.referral, d.next_due) == ("satisfied", "", ROUTINE)


def test_previous_adverse_reaction_is_not_a_consecutive_unsatisfied():
    assert h.classify(visit(150, 95), "adverse_reaction").referral == ""


def test_adverse_reaction_now_with_bp_off_target_after_unsatisfied_still_counts_as_two_in_a_row():
    d = h.classify(visit(150, 95, adverse_reaction=True), "unsatisfied")
    assert (d.classification, d.referral) == ("adverse_reaction", "advised")
    assert "two_consecutive_unsatisfied" in d.reasons


def test_adverse_reaction_adjusts_and_follows_up_in_two_weeks():
    d = h.classify(visit(adverse_reaction=True), None)
    assert (d.classification, d.referral, d.next_due) == ("adverse_reaction", "", TWO_WEEKS)
    assert d.reasons == ("adverse_reaction",)


def test_uncontrolled_adverse_reaction_advises_referral():
    d = h.classify(visit(adverse_uncontrolled=True), None)
    assert (d.classification, d.referral, d.next_due) == ("adverse_reaction", "advised", TWO_WEEKS)
    assert d.reasons == ("adverse_reaction", "adverse_reaction_uncontrolled")


def test_new_or_worse_complication_advises_referral():
    d = h.classify(visit(complication_new_or_worse=True), None)
    assert (d.classification, d.referral, d.next_due) == ("complication", "advised", TWO_WEEKS)


@pytest.mark.parametrize(("kw", "expected"), [
    ({"sbp": 150, "adverse_reaction": True}, "adverse_reaction"),
    ({"sbp": 150, "complication_new_or_worse": True}, "complication"),
    ({"adverse_reaction": True, "complication_new_or_worse": True}, "complication"),
    ({"sbp": 150, "adverse_reaction": True, "complication_new_or_worse": True}, "complication"),
])
def test_most_severe_wins(kw, expected):
    d = h.classify(visit(**kw), None)
    assert d.classification == expected
    assert d.next_due == TWO_WEEKS


def test_all_reasons_are_kept_when_several_apply():
    d = h.classify(visit(150, 95, adverse_uncontrolled=True, complication_new_or_worse=True), "unsatisfied")
    assert d.reasons == ("bp_not_on_target", "two_consecutive_unsatisfied", "adverse_reaction",
                         "adverse_reaction_uncontrolled", "complication_new_or_worse")


@pytest.mark.parametrize(("sbp", "dbp", "urgent"), [
    (179, 109, False), (180, 109, True), (179, 110, True), (180, 110, True), (185, 115, True)])
def test_emergency_edges_give_urgent_referral(sbp, dbp, urgent):
    d = h.classify(visit(sbp, dbp), None)
    assert d.classification == "unsatisfied"
    assert d.referral == ("urgent" if urgent else "")
    assert d.next_due == TWO_WEEKS


def test_the_done_when_case_185_115():
    d = h.classify(visit(185, 115), "satisfied")
    assert d.referral == "urgent" and d.is_urgent
    assert d.reasons[:2] == ("sbp_ge_180", "dbp_ge_110")
    assert d.next_due == dt.date(2026, 12, 7)


def test_urgent_beats_advised():
    d = h.classify(visit(185, 115), "unsatisfied")
    assert d.referral == "urgent"
    assert "two_consecutive_unsatisfied" in d.reasons


def test_emergency_symptom_with_controlled_bp_is_urgent_but_satisfied():
    d = h.classify(visit(symptoms=frozenset({"severe_headache_or_dizziness"})), None)
    assert (d.classification, d.referral, d.next_due) == ("satisfied", "urgent", TWO_WEEKS)
    assert d.reasons == ("symptom_severe_headache_or_dizziness", "bp_on_target")


def test_pregnancy_with_raised_bp_is_urgent():
    assert h.classify(visit(142, 80, pregnant_or_breastfeeding=True), None).referral == "urgent"
    assert h.classify(visit(130, 80, pregnant_or_breastfeeding=True), None).referral == ""


def test_elderly_target_in_classification():
    assert h.classify(visit(145, 85, age=70), None).classification == "satisfied"
    assert h.classify(visit(145, 85, age=64), None).classification == "unsatisfied"
    assert h.classify(visit(145, 85, age=70), None, elderly_target=(140, 90)).classification == "unsatisfied"
    assert h.classify(visit(150, 85, age=70), None).classification == "unsatisfied"


def test_intervals_are_parameters():
    assert h.classify(visit(), None, routine_interval_days=91).next_due == DAY + dt.timedelta(days=91)
    assert h.classify(visit(150, 95), None, short_interval_days=10).next_due == DAY + dt.timedelta(days=10)


@pytest.mark.parametrize(("kw", "code"), [({"sbp": None}, "bp_required"), ({"dbp": None}, "bp_required"),
                                          ({"symptoms": frozenset({"flu"})}, "unknown_symptom")])
def test_bad_input_raises_a_code(kw, code):
    with pytest.raises(RuleError) as info:
        h.classify(visit(**kw), None)
    assert info.value.code == code


def test_unknown_previous_classification_is_refused():
    with pytest.raises(RuleError):
        h.classify(visit(), "bad")


RANK = {c: i for i, c in enumerate(h.CLASSIFICATIONS)}
REF = {"": 0, "advised": 1, "urgent": 2}


@given(st.integers(80, 250), st.integers(40, 150), st.integers(0, 60), st.integers(0, 60),
       st.sampled_from([None, *h.CLASSIFICATIONS]), st.integers(35, 100), st.booleans(), st.booleans())
def test_classification_is_monotone_in_bp(sbp, dbp, dsbp, ddbp, previous, age, adverse, complication):
    lower = h.classify(visit(sbp, dbp, age, adverse_reaction=adverse, complication_new_or_worse=complication),
                       previous)
    higher = h.classify(visit(sbp + dsbp, dbp + ddbp, age, adverse_reaction=adverse,
                              complication_new_or_worse=complication), previous)
    assert RANK[higher.classification] >= RANK[lower.classification]
    assert REF[higher.referral] >= REF[lower.referral]
    assert higher.next_due <= lower.next_due


@given(st.integers(80, 250), st.integers(40, 150), st.sampled_from([None, *h.CLASSIFICATIONS]))
def test_only_a_satisfied_unreferred_visit_gets_the_routine_interval(sbp, dbp, previous):
    d = h.classify(visit(sbp, dbp), previous)
    routine = d.classification == "satisfied" and d.referral == ""
    assert d.next_due == (ROUTINE if routine else TWO_WEEKS)


@given(st.integers(80, 250), st.integers(40, 150), st.sets(st.sampled_from(sorted(h.ALL_SYMPTOMS))),
       st.booleans(), st.booleans(), st.sampled_from([None, *h.CLASSIFICATIONS]))
def test_urgent_exactly_when_an_emergency_criterion_holds(sbp, dbp, symptoms, pregnant, cannot, previous):
    v = visit(sbp, dbp, symptoms=frozenset(symptoms), pregnant_or_breastfeeding=pregnant, cannot_handle=cannot)
    d = h.classify(v, previous)
    emergency = h.emergency_reasons(sbp, dbp, symptoms=frozenset(symptoms), pregnant_or_breastfeeding=pregnant,
                                    cannot_handle=cannot)
    assert (d.referral == "urgent") == bool(emergency)
    assert d.reasons[:len(emergency)] == emergency
