"""The fixtures the indicators name (``Indicator.fixture``): data built through the real actions, returned
as raw records so the pure function can compute the figure from them.

Every live indicator's fixture is listed in FIXTURES; test_every_indicator_agrees.py fails for a live
indicator whose fixture is missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from yigongti.rules.indicators import Period, parse_period

from . import people_adapter as people


@dataclass
class Built:
    records: list[dict] | dict
    periods: list[Period] = field(default_factory=list)


# (institution, kind, visit_date, discharge_date, total, drug, service, is_tcm)
CENTRE_1 = [
    # 2024 at centre_1: 4 visits of 100.00 (drug 60, service 20), 2 stays of 3000.00 (drug 1200, service 900)
    ("centre_1", "outpatient", "2024-02-03", None, "100.00", "60.00", "20.00", False),
    ("centre_1", "outpatient", "2024-05-03", None, "100.00", "60.00", "20.00", True),
    ("centre_1", "outpatient", "2024-08-03", None, "100.00", "60.00", "20.00", False),
    ("centre_1", "emergency", "2024-11-03", None, "100.00", "60.00", "20.00", False),
    ("centre_1", "inpatient", "2024-03-01", "2024-03-08", "3000.00", "1200.00", "900.00", False),
    ("centre_1", "inpatient", "2024-09-01", "2024-09-05", "3000.00", "1200.00", "900.00", False),
    # 2025 at centre_1: 5 visits of 80.00 (drug 30, service 30), 3 stays of 2000.00 (drug 600, service 1200)
    ("centre_1", "outpatient", "2025-01-10", None, "80.00", "30.00", "30.00", False),
    ("centre_1", "outpatient", "2025-03-10", None, "80.00", "30.00", "30.00", True),
    ("centre_1", "outpatient", "2025-03-11", None, "80.00", "30.00", "30.00", True),
    ("centre_1", "emergency", "2025-06-10", None, "80.00", "30.00", "30.00", False),
    ("centre_1", "outpatient", "2025-12-31", None, "80.00", "30.00", "30.00", False),
    ("centre_1", "inpatient", "2024-12-28", "2025-01-04", "2000.00", "600.00", "1200.00", False),  # counts in 2025
    ("centre_1", "inpatient", "2025-05-01", "2025-05-09", "2000.00", "600.00", "1200.00", False),
    ("centre_1", "inpatient", "2025-10-01", "2025-10-03", "2000.00", "600.00", "1200.00", False),
    ("centre_1", "inpatient", "2025-12-30", None, "900.00", "300.00", "100.00", False),  # not discharged: not yet
]
ELSEWHERE = [
    ("clinic_a", "outpatient", "2025-03-15", None, "30.00", "20.00", "5.00", False),
    ("clinic_a", "outpatient", "2024-03-15", None, "25.00", "20.00", "5.00", True),
    ("centre_2", "outpatient", "2025-03-20", None, "60.00", "20.00", "20.00", False),
    ("county_hospital", "outpatient", "2025-03-05", None, "300.00", "150.00", "60.00", False),
    ("county_hospital", "emergency", "2025-07-05", None, "500.00", "200.00", "150.00", True),
    ("county_hospital", "inpatient", "2025-02-20", "2025-03-02", "9000.00", "3000.00", "2500.00", False),
    ("county_hospital", "outpatient", "2024-07-05", None, "280.00", "140.00", "50.00", False),
]


def _row(county, spec):
    inst, kind, visit, discharge, total, drug, service, tcm = spec
    return {"institution": county.inst(inst), "kind": kind, "visit_date": visit, "discharge_date": discharge,
            "total_cost": total, "drug_cost": drug, "medical_service_income": service, "is_tcm": tcm}


def encounters(county) -> Built:
    """Encounters over two years at every tier, including a stay across the year's end, one not yet discharged,
    an edit that moves a visit to another month and a deletion."""
    resident = people.resident(county, "village_a")
    made = [people.create(county, resident, **_row(county, spec)) for spec in CENTRE_1 + ELSEWHERE]
    moved = people.create(county, resident, **_row(county, ("centre_2", "outpatient", "2025-04-01", None, "70.00",
                                                            "10.00", "40.00", False)))
    people.edit(county, moved, visit_date="2025-02-27", total_cost="75.00")  # back-dated edit
    gone = people.create(county, resident, **_row(county, ("centre_1", "outpatient", "2025-03-12", None, "999.00",
                                                           "999.00", "0.00", False)))
    people.delete(county, gone)
    del made
    return Built(records=people.all_records(),
                 periods=[parse_period(p) for p in ("2024", "2025", "2025-Q1", "2025-03", "2025-YTD06", "2024-12")])


def records(county) -> Built:
    """Residents registered, one moving to another village, one dying, against 常住 denominators of 2025."""
    import datetime as dt

    import time_machine

    from yigongti.org import actions as org_actions
    from yigongti.rules.indicators import Placement

    a, b = county.areas["village_a"], county.areas["village_c"]
    with time_machine.travel("2025-01-15 10:00 +0800", tick=False):
        first, second, third = (people.resident(county, "village_a"), people.resident(county, "village_a"),
                                people.resident(county, "village_c"))
    with time_machine.travel("2025-03-10 10:00 +0800", tick=False):
        people.move(county, first, "village_c")
    people.died(county, second, dt.date(2025, 4, 30))
    bureau = county.users["consortium_office"]
    for area, n in ((a, 10), (b, 8)):
        with people.atomic():
            org_actions.set_denominator(bureau, area=area, year=2025, sex="1", age_band="35-64", resident=n,
                                        registered=n)
    placements = [Placement(first.pk, a.pk, dt.date(2025, 1, 15), dt.date(2025, 3, 10)),
                  Placement(first.pk, b.pk, dt.date(2025, 3, 10)),
                  Placement(second.pk, a.pk, dt.date(2025, 1, 15), dt.date(2025, 4, 30)),
                  Placement(third.pk, b.pk, dt.date(2025, 1, 15))]
    return Built(records={"placements": placements, "population": {(a.pk, 2025): 10, (b.pk, 2025): 8}},
                 periods=[parse_period(p) for p in ("2025-01", "2025-03", "2025-Q2", "2025")])


from tests.chronic.kpi_fixture import chronic  # noqa: E402 - the programme engine's indicator fixture
from tests.pharmacy.kpi_fixture import pharmacy as pharmacy_fixture  # noqa: E402 - the pharmacy figures
from tests.referrals.kpi_fixture import referrals  # noqa: E402 - the referral figures


def _discovered() -> dict:
    """An app's fixtures may also live in ``tests/<app>/kpi_fixture.py`` as ``KPI_FIXTURES = {name: builder}``."""
    import importlib
    import pathlib

    found: dict = {}
    for path in sorted(pathlib.Path(__file__).parent.parent.glob("*/kpi_fixture.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.kpi_fixture")
        found.update(getattr(module, "KPI_FIXTURES", {}))
    return found


FIXTURES = {"encounters": encounters, "records": records, "chronic": chronic, "referrals": referrals,
            "pharmacy": pharmacy_fixture, **_discovered()}
