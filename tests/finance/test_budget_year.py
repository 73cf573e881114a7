"""The budget year: the fund, the insured from the denominators, the worked example's deductions, the page."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.finance import actions, queries
from yigongti.org import actions as org_actions

from .helpers import line

D = Decimal
pytestmark = pytest.mark.django_db


def test_it_takes_the_insured_from_the_denominators_and_reproduces_the_worked_example(scenario):
    org_actions.set_year_figures(scenario.consortium_office, area=scenario.county, year=2026, live_births=0,
                                 insured_employee=100_000, insured_resident=400_000)
    by = actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="100000000")
    assert by.insured == 500_000
    view = queries.overview(by, on=dt.date(2026, 5, 1))
    assert dict(view["fund"].deductions) == {"risk_reserve": D("10000000.00"), "critical_illness": D("12500000.00"),
                                             "out_of_county": D("5000000.00")}
    assert view["fund"].paid == D("72500000.00")
    assert view["due_now"] == D("36250000.00")  # two quarters paid in advance by May
    assert AuditEntry.objects.filter(reason="finance.budget_year.save").count() == 1


def test_lower_areas_are_summed_when_the_county_has_no_row(scenario):
    for area, n in ((scenario.village_a, 100), (scenario.village_b, 50)):
        org_actions.set_year_figures(scenario.consortium_office, area=area, year=2026, live_births=0,
                                     insured_employee=n, insured_resident=n)
    assert actions.insured_from_denominators(2026) == 300


def test_only_the_finance_role_sets_the_year_and_bad_input_is_a_field_error(scenario):
    with pytest.raises(PermissionDenied):
        actions.set_budget_year(scenario.institution_admin_t1, year=2026, gross_fund="1000")
    with pytest.raises(ValidationError) as exc:
        actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="abc")
    assert "gross_fund" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="100", insured=500_000)
    assert "gross_fund" in exc.value.message_dict  # deductions exceed the fund
    with pytest.raises(ValidationError) as exc:
        actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="100", insured=0,
                                rule={"deductions": [{"code": "x", "base": "nope", "rate": "1"}]})
    assert "rule" in exc.value.message_dict


def test_spend_in_and_out_of_county_by_tier_and_institution_with_a_forecast(scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2026, gross_fund="100000000", insured=500_000)
    line(office, code="H001", fund_paid="6000000", total_cost="9000000", cases=1000)
    line(office, code="T001", fund_paid="1000000", total_cost="1500000", cases=400)
    line(office, code="V001", care="outpatient", fund_paid="500000", total_cost="800000", cases=5000)
    line(office, code="P900", name="某民营医院", fund_paid="250000", total_cost="300000")
    line(office, code="X001", name="省人民医院", in_county=False, fund_paid="2250000", total_cost="3000000", cases=90)
    view = queries.overview(by, on=dt.date(2026, 4, 10))
    spend = view["spend"]
    assert spend["members"] == D("7500000")
    assert spend["in_county"] == D("7750000") and spend["out_county"] == D("2250000")
    assert spend["in_county_share"] == D("77.5")
    assert spend["by_tier"] == {"county": D("6000000"), "township": D("1000000"), "village": D("500000")}
    assert [r["institution_id"] for r in spend["by_institution"]] == [scenario.county_hospital.pk,
                                                                      scenario.centre_1.pk, scenario.clinic_a.pk]
    # settlements through March: 90 days of 365 → straight-line forecast
    assert view["forecast"] == (D("7500000") * 365 / 90).quantize(D("0.01"))
    assert view["burn"][-1]["remaining"] == D("72500000.00") - D("7500000")
    assert view["out_county_left"] == D("5000000.00") - D("2250000")


def test_a_settled_year_cannot_change(scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2025, gross_fund="1000000", insured=1000)
    actions.settle_year(office, by, on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError):
        actions.set_budget_year(office, year=2025, gross_fund="2000000")
    with pytest.raises(ValidationError):
        actions.settle_year(office, by, on=dt.date(2026, 1, 5))


def test_the_year_is_settled_only_after_it_ends(scenario):
    by = actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="1000000", insured=1000)
    with pytest.raises(ValidationError):
        actions.settle_year(scenario.consortium_office, by, on=dt.date(2026, 12, 30))
