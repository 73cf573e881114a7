"""The ``settlements`` fixture of the indicator catalog: insurance settlement lines imported through the real
action over two years, in and out of the county, at every tier, with a pharmacy line (left out of the fund
shares) and a non-member in-county hospital; returned as the records rules.budget.settlement_measure reads.

    2025-01  county hospital inpatient   120 stays, 110 persons, cost 1,200,000, fund 840,000
    2025-01  centre 1 inpatient           40 stays,  40 persons, cost   160,000, fund 120,000
    2025-02  clinic A outpatient         900 visits,               cost    45,000, fund  30,000
    2025-02  private in-county hospital   10 stays,  10 persons, cost    80,000, fund  50,000
    2025-03  provincial hospital (out)    15 stays,  14 persons, cost   450,000, fund 270,000
    2025-03  pharmacy in county                                    cost    20,000, fund  12,000
    2024-06  county hospital inpatient   100 stays, 100 persons, cost   900,000, fund 630,000
    2024-06  out of county                20 stays,  20 persons, cost   500,000, fund 300,000
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

LINES = [
    # month, scheme, care, in_county, code, name, cases, persons, total, fund
    ("2025-01", "resident", "inpatient", True, "county_hospital", "", 120, 110, "1200000", "840000"),
    ("2025-01", "employee", "inpatient", True, "centre_1", "", 40, 40, "160000", "120000"),
    ("2025-02", "resident", "outpatient", True, "clinic_a", "", 900, 700, "45000", "30000"),
    ("2025-02", "resident", "inpatient", True, "P-9001", "某民营医院", 10, 10, "80000", "50000"),
    ("2025-03", "resident", "inpatient", False, "X-4301", "省人民医院", 15, 14, "450000", "270000"),
    ("2025-03", "resident", "pharmacy", True, "D-0001", "某大药房", 300, 250, "20000", "12000"),
    ("2024-06", "resident", "inpatient", True, "county_hospital", "", 100, 100, "900000", "630000"),
    ("2024-06", "resident", "inpatient", False, "X-4301", "省人民医院", 20, 20, "500000", "300000"),
]


def settlements(county):
    from tests.kpi.fixtures import Built
    from yigongti.finance import actions
    from yigongti.finance.indicators import record_of
    from yigongti.finance.models import Settlement
    from yigongti.rules.indicators import parse_period

    office = county.users["consortium_office"]
    for month, scheme, care, inside, code, name, cases, persons, total, fund in LINES:
        provider = county.inst(code).code if code in county.institutions else code
        y, m = month.split("-")
        actions.save_settlement(office, month=dt.date(int(y), int(m), 1), scheme=scheme, care=care, in_county=inside,
                                provider_code=provider, provider_name=name, cases=cases, persons=persons,
                                total_cost=Decimal(total), fund_paid=Decimal(fund))
    records = [record_of(s) for s in Settlement.objects.select_related("institution")]
    return Built(records={"settlements": records},
                 periods=[parse_period(p) for p in ("2025", "2025-Q1", "2025-01", "2025-03", "2024", "2024-12")])


KPI_FIXTURES = {"settlements": settlements}
