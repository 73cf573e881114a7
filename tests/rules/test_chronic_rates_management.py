"""rules/chronic_rates.py: 管理率 from the estimated patients, 规范管理 (face-to-face only, pro-rata for
mid-year enrolees), 控制率, and a fixture with stated expected numbers (spec §Hypertension, §Programme
indicators)."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import chronic_rates as r
from yigongti.rules import hypertension as h
from yigongti.rules.chronic import RuleError, counts_as_face_to_face

Y0, Y1 = r.assessment_year(2026)


def test_assessment_year():
    assert (Y0, Y1) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert r.assessment_year(2026, start_month=7) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))


def test_estimated_patients_and_management_rate():
    assert r.estimated_patients(12000, Decimal("0.25")) == Decimal("3000.00")
    assert r.management_rate(1800, 12000, Decimal("0.25")) == Decimal("60.00")
    assert r.management_rate(1, 3, "0.5") == Decimal("66.67")
    assert r.management_rate(5, 0, Decimal("0.25")) is None
    assert r.management_rate(5, 100, 0) is None


@pytest.mark.parametrize("bad", [Decimal("-0.1"), Decimal("1.01"), "nan"])
def test_prevalence_is_a_fraction(bad):
    with pytest.raises(RuleError) as info:
        r.estimated_patients(100, bad)
    assert info.value.code == "prevalence_out_of_range"


def test_modes():
    assert counts_as_face_to_face("clinic") and counts_as_face_to_face("home")
    assert not counts_as_face_to_face("phone")
    with pytest.raises(RuleError):
        counts_as_face_to_face("video")
    visits = [(dt.date(2026, 2, 1), "clinic"), (dt.date(2026, 2, 1), "home"), (dt.date(2026, 5, 1), "phone"),
              (dt.date(2026, 8, 1), "home")]
    assert r.face_to_face_dates(visits) == [dt.date(2026, 2, 1), dt.date(2026, 8, 1)]


def dates(*md):
    return [dt.date(2026, m, d) for m, d in md]


def test_four_face_to_face_visits_are_standard():
    assert r.is_standard_managed(dates((1, 10), (4, 10), (7, 10), (10, 10)), year_start=Y0, year_end=Y1,
                                 enrolled_on=dt.date(2020, 5, 1))
    assert not r.is_standard_managed(dates((1, 10), (4, 10), (7, 10)), year_start=Y0, year_end=Y1,
                                     enrolled_on=dt.date(2020, 5, 1))


def test_same_day_visits_count_once_and_visits_outside_the_year_not_at_all():
    four = dates((1, 10), (1, 10), (4, 10), (7, 10)) + [dt.date(2025, 12, 31), dt.date(2027, 1, 1)]
    assert not r.is_standard_managed(four, year_start=Y0, year_end=Y1, enrolled_on=dt.date(2020, 1, 1))


def test_a_telephone_only_patient_is_not_standard():
    phone = [(dt.date(2026, m, 5), "phone") for m in (1, 3, 5, 7, 9, 11)]
    assert not r.is_standard_managed(r.face_to_face_dates(phone), year_start=Y0, year_end=Y1,
                                     enrolled_on=dt.date(2019, 1, 1))


@pytest.mark.parametrize(("enrolled", "quarters", "months"), [
    (dt.date(2025, 6, 1), 4, 4), (dt.date(2026, 1, 1), 4, 4),
    (dt.date(2026, 1, 2), 3, 4),     # Q: Apr, Jul, Oct → 3; M: 11 months → ceil(44/12) = 4
    (dt.date(2026, 2, 10), 3, 4),    # M: Mar…Dec = 10 → ceil(40/12) = 4
    (dt.date(2026, 4, 1), 3, 3),     # M: 9 → 3
    (dt.date(2026, 4, 2), 2, 3),     # M: 8 → ceil(32/12) = 3
    (dt.date(2026, 7, 1), 2, 2),
    (dt.date(2026, 9, 30), 1, 1),    # M: Oct, Nov, Dec → 1
    (dt.date(2026, 10, 1), 1, 1),
    (dt.date(2026, 11, 15), 1, 1),   # no full quarter left: at least 1
    (dt.date(2026, 12, 31), 1, 1),
    (dt.date(2027, 1, 1), 0, 0),     # enrolled after the year
])
def test_pro_rata_required_visits(enrolled, quarters, months):
    assert r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=enrolled) == quarters
    assert r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=enrolled, pro_rata="months") == months
    expected_none = 0 if enrolled > Y1 else 4
    assert r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=enrolled, pro_rata="none") == expected_none


def test_pro_rata_in_a_july_june_year():
    start, end = r.assessment_year(2026, start_month=7)
    assert r.required_visits(year_start=start, year_end=end, enrolled_on=dt.date(2026, 12, 5)) == 2  # Jan, Apr


def test_a_mid_year_enrolee_needs_fewer_and_visits_before_enrolment_do_not_count():
    enrolled = dt.date(2026, 5, 20)                   # quarters left: Jul, Oct → 2 visits
    assert r.is_standard_managed(dates((5, 20), (9, 1)), year_start=Y0, year_end=Y1, enrolled_on=enrolled)
    assert not r.is_standard_managed(dates((3, 1), (9, 1)), year_start=Y0, year_end=Y1, enrolled_on=enrolled)
    assert not r.is_standard_managed(dates((5, 20), (9, 1)), year_start=Y0, year_end=Y1, enrolled_on=enrolled,
                                     pro_rata="none")


def test_enrolled_after_the_year_is_not_standard():
    assert not r.is_standard_managed([dt.date(2027, 2, 1)], year_start=Y0, year_end=Y1,
                                     enrolled_on=dt.date(2027, 1, 5))


def test_bad_parameters():
    with pytest.raises(RuleError):
        r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=Y0, pro_rata="weeks")
    with pytest.raises(RuleError):
        r.required_visits(year_start=Y1, year_end=Y0, enrolled_on=Y0)


@given(st.dates(min_value=dt.date(2025, 6, 1), max_value=dt.date(2027, 2, 1)))
def test_later_enrolment_never_needs_more(enrolled):
    later = enrolled + dt.timedelta(days=1)
    for rule in r.PRO_RATA_RULES:
        a = r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=enrolled, pro_rata=rule)
        b = r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=later, pro_rata=rule)
        assert 0 <= b <= a <= 4


def test_latest_controlled():
    visits = [(dt.date(2026, 3, 1), True), (dt.date(2026, 9, 1), False)]
    assert not r.latest_controlled(visits, year_start=Y0, year_end=Y1)
    assert r.latest_controlled(visits + [(dt.date(2026, 12, 31), True)], year_start=Y0, year_end=Y1)
    assert not r.latest_controlled(visits + [(dt.date(2026, 12, 1), None)], year_start=Y0, year_end=Y1)
    assert not r.latest_controlled([], year_start=Y0, year_end=Y1)                     # never followed up
    assert not r.latest_controlled([(dt.date(2027, 1, 2), True)], year_start=Y0, year_end=Y1)
    same_day = [(dt.date(2026, 6, 1), True), (dt.date(2026, 6, 1), False)]
    assert not r.latest_controlled(same_day, year_start=Y0, year_end=Y1)


def test_rates_round_half_up_and_none_on_zero():
    assert r.control_rate(2, 3) == Decimal("66.67")
    assert r.control_rate(1, 8) == Decimal("12.50")
    assert r.control_rate(0, 0) is None
    assert r.standard_management_rate(3, 4) == Decimal("75.00")


def test_the_fixture_with_stated_numbers():
    """Six hypertension candidates in 2026: the 34-year-old and the I15 patient are not managed; of the
    four managed, the telephone-only patient is not 规范, the mid-year enrolee is (2 visits needed);
    controlled at the latest visit: A (128/80), C (146/86 at 70: elderly target); B's latest is 150/92;
    the telephone-only patient's latest reading is 130/80 at a phone call → counts (latest follow-up).
    Population ≥35 = 40, prevalence 0.25 → 10 estimated patients."""
    patients = {
        "A": dict(age=60, icd="I10", enrolled=dt.date(2020, 1, 1),
                  visits=[(dt.date(2026, m, 5), "clinic", 128, 80) for m in (1, 4, 7, 10)]),
        "B": dict(age=50, icd="I11.9", enrolled=dt.date(2021, 1, 1),
                  visits=[(dt.date(2026, m, 5), "home", 150, 92) for m in (2, 5, 8, 11)]),
        "C": dict(age=70, icd="I10", enrolled=dt.date(2026, 6, 15),            # mid-year enrolee
                  visits=[(dt.date(2026, 6, 15), "clinic", 152, 88), (dt.date(2026, 10, 3), "home", 146, 86)]),
        "phone": dict(age=66, icd="I10", enrolled=dt.date(2019, 1, 1),
                      visits=[(dt.date(2026, m, 5), "phone", 130, 80) for m in (1, 4, 7, 10)]),
        "young": dict(age=34, icd="I10", enrolled=dt.date(2026, 2, 1),
                      visits=[(dt.date(2026, m, 5), "clinic", 120, 80) for m in (3, 6, 9, 12)]),
        "i15": dict(age=50, icd="I15.0", enrolled=dt.date(2026, 2, 1),
                    visits=[(dt.date(2026, m, 5), "clinic", 120, 80) for m in (3, 6, 9, 12)]),
    }
    managed = {k: p for k, p in patients.items()
               if p["age"] >= h.MIN_AGE and h.icd10_enrolment(p["icd"]) == "enrol"}
    assert sorted(managed) == ["A", "B", "C", "phone"]
    standard = [k for k, p in managed.items() if r.is_standard_managed(
        r.face_to_face_dates((d, mode) for d, mode, *_ in p["visits"]),
        year_start=Y0, year_end=Y1, enrolled_on=p["enrolled"])]
    assert sorted(standard) == ["A", "B", "C"]
    controlled = [k for k, p in managed.items() if r.latest_controlled(
        [(d, h.is_controlled(s, dd, p["age"])) for d, _, s, dd in p["visits"]], year_start=Y0, year_end=Y1)]
    assert sorted(controlled) == ["A", "C", "phone"]
    assert r.management_rate(len(managed), 40, Decimal("0.25")) == Decimal("40.00")
    assert r.standard_management_rate(len(standard), len(managed)) == Decimal("75.00")
    assert r.control_rate(len(controlled), len(managed)) == Decimal("75.00")


@pytest.mark.parametrize(("enrolled", "left", "expected"), [
    (dt.date(2020, 1, 1), dt.date(2026, 2, 10), 1),    # died in February: only the January quarter
    (dt.date(2020, 1, 1), dt.date(2026, 4, 1), 2),
    (dt.date(2020, 1, 1), dt.date(2026, 12, 15), 4),
    (dt.date(2020, 1, 1), dt.date(2025, 12, 31), 0),   # left before the year
    (dt.date(2026, 2, 1), dt.date(2026, 8, 1), 2),     # Apr, Jul
    (dt.date(2026, 2, 1), dt.date(2026, 3, 1), 1),     # no quarter began in the window: at least 1
    (dt.date(2020, 1, 1), None, 4),
])
def test_leaving_during_the_year_shortens_the_requirement(enrolled, left, expected):
    assert r.required_visits(year_start=Y0, year_end=Y1, enrolled_on=enrolled, left_on=left) == expected


def test_visits_after_leaving_do_not_count():
    assert r.is_standard_managed(dates((1, 5)), year_start=Y0, year_end=Y1, enrolled_on=dt.date(2020, 1, 1),
                                 left_on=dt.date(2026, 2, 10))
    assert not r.is_standard_managed(dates((3, 5)), year_start=Y0, year_end=Y1, enrolled_on=dt.date(2020, 1, 1),
                                     left_on=dt.date(2026, 2, 10))


@pytest.mark.parametrize(("enrolled", "left", "managed"), [
    (dt.date(2020, 1, 1), None, True), (dt.date(2026, 12, 31), None, True), (dt.date(2027, 1, 1), None, False),
    (dt.date(2020, 1, 1), dt.date(2026, 1, 1), True), (dt.date(2020, 1, 1), dt.date(2025, 12, 31), False)])
def test_managed_in_year(enrolled, left, managed):
    assert r.is_managed_in_year(enrolled_on=enrolled, year_start=Y0, year_end=Y1, left_on=left) is managed
