"""The pharmacy indicators pass the catalog's one check on the ``pharmacy`` fixture: the pure function = the
live value = the drill-down's own count (tests/kpi/test_every_indicator_agrees.py runs the same once the
fixture is listed there), and the worked values are what the seeds' rules say."""
from decimal import Decimal

import pytest

from tests.kpi.conftest import AREAS, INSTITUTIONS, USERS, County
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader, drill_figure, drilldown
from yigongti.kpi.structure import shape
from yigongti.rules.indicators import Cut, parse_period

from .kpi_fixture import pharmacy

CODES = ["pharmacy.online_purchase_rate", "pharmacy.procurement_savings_rate", "pharmacy.loss_rate",
         "pharmacy.stock_turnover"]


@pytest.fixture
def county(scenario):
    return County(areas={n: getattr(scenario, n) for n in AREAS},
                  institutions={n: getattr(scenario, n) for n in INSTITUTIONS},
                  users={n: getattr(scenario, n) for n in USERS})


def test_pure_equals_live_equals_drilldown(county):
    built = pharmacy(county)
    sh = shape()
    office = county.users["consortium_office"]
    for code in CODES:
        indicator = catalog.get(code)
        cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
        for period in built.periods:
            live = Reader(sh).live(indicator, period, cuts)
            for cut in cuts:
                pure = indicator.hooks.pure(built.records, period, cut, sh)
                drilled = drill_figure(indicator, drilldown(office, indicator, period, cut, sh), period, cut, sh)
                assert pure == live[cut.code] == drilled, (code, period.code, cut.code, pure, live[cut.code], drilled)


def test_the_worked_values(county):
    pharmacy(county)
    reader = Reader()
    march, year = parse_period("2025-03"), parse_period("2025")
    online = reader.reading(catalog.get("pharmacy.online_purchase_rate"), march)
    # 100×0.50 + 10×2.00 on the platform; 5×2.20 not
    assert (online.figure.numerator, online.figure.denominator) == (Decimal("70.00"), Decimal("81.00"))
    savings = reader.reading(catalog.get("pharmacy.procurement_savings_rate"), year)
    # (1.50−0.45)×200 + (1.50−0.50)×100 of 1.50×300
    assert (savings.figure.numerator, savings.figure.denominator, savings.figure.value) == (
        Decimal("310.00"), Decimal("450.00"), Decimal("68.89"))
    loss = reader.reading(catalog.get("pharmacy.loss_rate"), year,
                          Cut("institution", str(county.inst("clinic_a").pk)))
    assert (loss.figure.numerator, loss.figure.denominator) == (Decimal("3.00"), Decimal("8.00"))
    turnover = reader.reading(catalog.get("pharmacy.stock_turnover"), march,
                              Cut("institution", str(county.inst("clinic_a").pk)))
    # 10 × 0.50 dispensed; stock value 0.00 at the start of March and 25 − 5 − 2 = 18.00 at its end
    assert (turnover.figure.numerator, turnover.figure.denominator, turnover.figure.value) == (
        Decimal("5.00"), Decimal("9.00"), Decimal("0.56"))


def test_the_drill_pages_show_the_hooks_headers(county, client):
    pharmacy(county)
    client.force_login(county.users["consortium_office"])
    orders = client.get("/kpi/i/pharmacy.online_purchase_rate/records/?period=2025").content.decode()
    moves = client.get("/kpi/i/pharmacy.loss_rate/records/?period=2025").content.decode()
    assert "<th>订单号</th>" in orders and "KPI-PO-2" in orders
    assert "<th>批号</th>" in moves and "KPI-B1" in moves
