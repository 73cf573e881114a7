"""Seed 004: a higher-level hospital admitting a disease on a lower grade's first-diagnosis catalog is charged
the per-case cost difference; listed per case and summed per institution."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.referrals.helpers import resident
from yigongti.finance import queries
from yigongti.people import actions as people

D = Decimal
pytestmark = pytest.mark.django_db


def stay(user, institution, patient, code, cost, day=10):
    return people.record_encounter(user, institution=institution, resident=patient, kind="inpatient",
                                   visit_date=dt.date(2026, 3, day), discharge_date=dt.date(2026, 3, day + 4),
                                   primary_diagnosis=code, total_cost=D(cost))


def test_the_cost_difference_is_charged_per_case_and_summed_per_institution(scenario):
    from yigongti.referrals.actions import add_catalog_entry

    patient = resident(scenario)  # loads the ICD-10 codes
    add_catalog_entry(scenario.consortium_office, kind="first_diagnosis", grade_level="1", code="J06",
                      name="急性上呼吸道感染")
    stay(scenario.township_doctor, scenario.centre_1, patient, "J06.900", "2000")
    stay(scenario.township_doctor, scenario.centre_1, patient, "J06.900", "3000", day=20)
    first = stay(scenario.county_specialist, scenario.county_hospital, patient, "J06.900", "8000")
    stay(scenario.county_specialist, scenario.county_hospital, patient, "J06.900", "2000", day=15)  # cheaper: 0
    stay(scenario.county_specialist, scenario.county_hospital, patient, "I63.900", "30000", day=16)  # not listed
    result = queries.penalties(2026)
    assert len(result["cases"]) == 2
    case = next(c for c in result["cases"] if c["encounter_id"] == first.pk)
    assert case["reference"] == D("2500.00") and case["penalty"] == D("5500.00")
    assert result["by_institution"] == [{"institution_id": scenario.county_hospital.pk,
                                         "institution": scenario.county_hospital.name,
                                         "amount": D("5500.00"), "cases": 1}]
    assert result["total"] == D("5500.00")


def test_no_catalog_no_penalties(scenario):
    assert queries.penalties(2026) == {"cases": [], "by_institution": [], "total": D("0.00")}
