"""Year-end settlement: the worked example's surplus split 6:3:1 to the fen, then within each tier by services."""
import datetime as dt
from decimal import Decimal

import pytest

from yigongti.finance import actions

from .helpers import line

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_worked_example_surplus_splits_6_3_1_and_by_member_services(scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2025, gross_fund="100000000", insured=500_000)
    m = dt.date(2025, 6, 1)
    line(office, month=m, code="H001", fund_paid="60000000", total_cost="80000000", cases=3000)
    line(office, month=m, code="T001", fund_paid="6000000", total_cost="8000000", cases=3000)
    line(office, month=m, code="T002", fund_paid="3000000", total_cost="4000000", cases=1000)
    line(office, month=m, code="V001", care="outpatient", fund_paid="700000", total_cost="900000", cases=2)
    line(office, month=m, code="V002", care="outpatient", fund_paid="300000", total_cost="400000", cases=1)
    by = actions.settle_year(office, by, on=dt.date(2026, 1, 10))
    s = by.settlement
    assert s["code"] == "surplus" and D(s["spent"]) == D("70000000") and D(s["balance"]) == D("2500000.00")
    assert {k: D(v) for k, v in s["by_tier"].items()} == {"county": D("1500000.00"), "township": D("750000.00"),
                                                          "village": D("250000.00")}
    members = {m["institution_id"]: D(m["amount"]) for m in s["members"]}
    # township: 3000 and 1000 cases → 562,500 / 187,500
    assert members[scenario.centre_1.pk] == D("562500.00") and members[scenario.centre_2.pk] == D("187500.00")
    # village: 2 : 1 : 0 → 166,666.67 / 83,333.33 / 0 (to the fen, adding up)
    assert members[scenario.clinic_a.pk] == D("166666.67") and members[scenario.clinic_b.pk] == D("83333.33")
    assert members[scenario.clinic_c.pk] == D("0.00")
    for tier, amount in s["by_tier"].items():
        assert sum(D(m["amount"]) for m in s["members"] if m["tier"] == tier) == D(amount)


def test_a_deficit_is_borne_by_the_consortium_when_the_fund_does_not_share(scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2025, gross_fund="1000000", insured=0)
    line(office, month=dt.date(2025, 2, 1), code="H001", fund_paid="1000000", total_cost="1000000")
    by = actions.settle_year(office, by, on=dt.date(2026, 1, 1))
    assert by.settlement["code"] == "deficit"
    assert D(by.settlement["consortium_amount"]) == D("150000.00")
    assert D(by.settlement["fund_bears"]) == D("0.00")


def test_each_members_surplus_splits_70_30_by_the_sangzhi_rule(scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2025, gross_fund="1000000", insured=0)
    line(office, month=dt.date(2025, 2, 1), code="H001", fund_paid="750000", total_cost="900000", cases=7)
    line(office, month=dt.date(2025, 2, 1), code="T001", fund_paid="0", total_cost="0", cases=3)
    by = actions.settle_year(office, by, on=dt.date(2026, 1, 1))
    hospital = next(m for m in by.settlement["members"] if m["institution_id"] == scenario.county_hospital.pk)
    # surplus 100,000 → county 60,000; the hospital is the only county member with cases (the CDC has none)
    assert D(hospital["amount"]) == D("60000.00")
    assert {k: D(v) for k, v in hospital["uses"].items()} == {"performance": D("42000.00"),
                                                              "development": D("18000.00")}
