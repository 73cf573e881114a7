"""rules/older.py against spec §Older people: self-care bands 0–3 / 4–8 / 9–18 / ≥19, once a year, ≥65
常住, raised BP/glucose routed to screening, TCM constitution with guidance."""
import datetime as dt
from decimal import Decimal

import pytest

from yigongti.rules import older
from yigongti.rules.chronic import RuleError


@pytest.mark.parametrize(("score", "band"), [
    (0, older.INDEPENDENT), (3, older.INDEPENDENT), (4, older.MILD), (8, older.MILD), (9, older.MODERATE),
    (18, older.MODERATE), (19, older.DEPENDENT), (40, older.DEPENDENT)])
def test_self_care_bands_are_the_specifications(score, band):
    assert older.self_care_band(score) == band


@pytest.mark.parametrize("bad", [-1, None, "3", True])
def test_a_bad_score_is_refused(bad):
    with pytest.raises(RuleError):
        older.self_care_band(bad)


def test_eligible_from_65_and_resident_only():
    assert older.is_eligible(65, True)
    assert older.is_eligible(90, True)
    assert not older.is_eligible(64, True)
    assert not older.is_eligible(70, False)


def test_first_due_now_or_on_the_65th_birthday():
    today = dt.date(2026, 11, 23)
    assert older.first_due(dt.date(1950, 1, 1), today) == today
    assert older.first_due(dt.date(1962, 2, 14), today) == dt.date(2027, 2, 14)


def test_annual_visit_next_due_a_year_later_with_the_band():
    d = older.classify(older.OlderVisit(visit_date=dt.date(2026, 3, 31), self_care_score=5), None)
    assert d.classification == older.MILD
    assert d.next_due == dt.date(2027, 3, 31)
    assert d.referral == ""


def test_raised_bp_and_glucose_route_to_screening():
    d = older.classify(older.OlderVisit(visit_date=dt.date(2026, 3, 1), self_care_score=0, sbp=140, dbp=80,
                                        fasting_glucose=Decimal("7.0")), None)
    assert older.R_BP in d.reasons and older.R_GLUCOSE in d.reasons
    fine = older.classify(older.OlderVisit(visit_date=dt.date(2026, 3, 1), self_care_score=0, sbp=139, dbp=89,
                                           fasting_glucose=Decimal("6.9")), None)
    assert older.R_BP not in fine.reasons and older.R_GLUCOSE not in fine.reasons
    assert older.R_BP in older.findings(older.OlderVisit(dt.date(2026, 3, 1), 0, sbp=120, dbp=90))


def test_tcm_constitution_gets_guidance_and_unknown_is_refused():
    assert older.tcm_guidance("qi_deficiency") == older.TCM_GUIDANCE
    d = older.classify(older.OlderVisit(dt.date(2026, 3, 1), 0, constitution="balanced"), None)
    assert older.R_TCM in d.reasons
    with pytest.raises(RuleError):
        older.classify(older.OlderVisit(dt.date(2026, 3, 1), 0, constitution="nonsense"), None)
    assert len(older.CONSTITUTIONS) == 9


def test_leap_day_visit():
    d = older.classify(older.OlderVisit(dt.date(2028, 2, 29), 20), older.MILD)
    assert d.next_due == dt.date(2029, 2, 28)
    assert d.classification == older.DEPENDENT
