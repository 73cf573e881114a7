"""The seeds' 成效分析 for one township centre, with numbers stated by hand (tests/kpi/fixtures.py CENTRE_1):
each figure and its year-on-year change, a relative change of the figure itself (not percentage points)."""
from decimal import Decimal

import pytest

from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader
from yigongti.rules.indicators import Cut, parse_period

from . import people_adapter
from .fixtures import encounters

EXPECTED = {
    # code: (2025 value, 2024 value, year-on-year %)
    "effect.outpatient_visits": (5, 4, Decimal("25.00")),
    "effect.inpatient_stays": (3, 2, Decimal("50.00")),  # the stay admitted 2024-12-28 counts at discharge
    "effect.outpatient_avg_cost": (Decimal("80.00"), Decimal("100.00"), Decimal("-20.00")),
    "effect.inpatient_avg_cost": (Decimal("2000.00"), Decimal("3000.00"), Decimal("-33.33")),
    "effect.drug_share": (Decimal("30.47"), Decimal("41.25"), Decimal("-26.14")),  # 1950/6400 vs 2640/6400
    "effect.service_income_share": (Decimal("58.59"), Decimal("29.38"), Decimal("99.47")),  # 3750 vs 1880 /6400
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_figure_and_its_change_are_exact(code, county):
    people_adapter.require()
    encounters(county)
    centre = Cut("institution", str(county.inst("centre_1").pk))
    reading = Reader().reading(catalog.get(code), parse_period("2025"), centre)
    assert (reading.value, reading.last_year.value, reading.yoy) == EXPECTED[code]


def test_the_centre_page_shows_the_figures(county, client):
    people_adapter.require()
    encounters(county)
    client.force_login(county.users["consortium_office"])
    page = client.get(f"/kpi/report/?period=2025&cut=institution:{county.inst('centre_1').pk}").content.decode()
    for text in ("+25.00%", "+50.00%", "-20.00%", "-33.33%", "-26.14%", "+99.47%", "30.47%", "2,000.00"):
        assert text in page
