"""The four settlement indicators pass the catalog's one check (pure on the fixture = live = rebuild = the
drill-down's own count) — run here on finance's declarations directly, since kpi still lists the same codes as
"needs data" until its entries are removed (then tests/kpi/test_every_indicator_agrees.py runs them too)."""
from decimal import Decimal

import pytest

from tests.kpi.conftest import county  # noqa: F401 - the fixture
from yigongti.finance.indicators import ALL_SETTLEMENT_INDICATORS
from yigongti.kpi.queries import Reader
from yigongti.kpi.structure import shape

from .kpi_fixture import settlements

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("indicator", ALL_SETTLEMENT_INDICATORS, ids=lambda i: i.code)
def test_pure_equals_live_equals_drilldown(indicator, county):  # noqa: F811
    built = settlements(county)
    sh = shape()
    office = county.users["consortium_office"]
    cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
    seen = []
    for period in built.periods:
        live = Reader(sh).live(indicator, period, cuts)
        for cut in cuts:
            pure = indicator.hooks.pure(built.records, period, cut, sh)
            drill = indicator.hooks.drilldown(office, period, cut, sh)
            drilled = indicator.hooks.drill_figure(drill, period, cut, sh)
            assert pure == live[cut.code] == drilled, (period.code, pure, live[cut.code], drilled)
            seen.append(pure)
    assert any(f.numerator for f in seen)


def test_the_fixture_gives_the_expected_shares(county):  # noqa: F811
    from yigongti.rules.indicators import parse_period

    built = settlements(county)
    sh = shape()
    by_code = {i.code: i for i in ALL_SETTLEMENT_INDICATORS}
    year = parse_period("2025")
    value = lambda code: by_code[code].hooks.pure(built.records, year, sh.cuts("county")[0], sh).value  # noqa: E731
    # fund without the pharmacy: 840,000 + 120,000 + 30,000 + 50,000 in county of 1,310,000
    assert value("national.insurance_in_county_share") == Decimal("79.39")
    # primary: 120,000 + 30,000 of 1,040,000 in county
    assert value("national.insurance_primary_share") == Decimal("14.42")
    # stays: 170 in county of 185
    assert value("national.insured_in_county_admission_share") == Decimal("91.89")
    # cost per person in county: 1,440,000 / 160
    assert value("national.insured_inpatient_cost") == Decimal("9000.00")


def test_a_township_doctor_drills_into_nothing(county):  # noqa: F811
    settlements(county)
    indicator = ALL_SETTLEMENT_INDICATORS[0]
    sh = shape()
    from yigongti.rules.indicators import parse_period

    assert not indicator.hooks.drilldown(county.users["township_doctor"], parse_period("2025"),
                                         sh.cuts("county")[0], sh).exists()
