"""The referral figures pass the catalog's one check — pure function on the fixture = live value = rebuild =
the drill-down's own count — for every period and cut (the same check as tests/kpi/test_every_indicator_agrees.py,
run here on the referrals fixture), and give the numbers the fixture was built to give."""
from decimal import Decimal

import pytest
from django.db import transaction

from tests.kpi.conftest import AREAS, INSTITUTIONS, USERS, County
from yigongti.kpi import actions as kpi_actions
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader, drill_figure, drilldown
from yigongti.kpi.structure import shape
from yigongti.rules.indicators import COUNTY, Cut, parse_period

from .kpi_fixture import referrals

CODES = [i.code for i in catalog.computable() if i.code.startswith("referrals.")]


@pytest.fixture
def county(scenario):
    """The kpi suite's view of the scenario (tests/kpi/conftest.py), so the fixture runs there unchanged."""
    return County(areas={n: getattr(scenario, n) for n in AREAS},
                  institutions={n: getattr(scenario, n) for n in INSTITUTIONS},
                  users={n: getattr(scenario, n) for n in USERS})


def test_every_referral_figure_is_declared():
    assert len(CODES) == 9


@pytest.mark.parametrize("code", CODES)
def test_pure_equals_live_equals_rebuild_equals_drilldown(code, county):
    indicator = catalog.get(code)
    built = referrals(county)
    sh = shape()
    office = county.users["consortium_office"]
    cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
    seen = {}
    for period in built.periods:
        live = Reader(sh).live(indicator, period, cuts)
        for cut in cuts:
            pure = indicator.hooks.pure(built.records, period, cut, sh)
            drilled = drill_figure(indicator, drilldown(office, indicator, period, cut, sh), period, cut, sh)
            assert pure == live[cut.code] == drilled, (period.code, cut.code, pure, live[cut.code], drilled)
            seen[(period.code, cut.code)] = pure
    with transaction.atomic():
        kpi_actions.rebuild()
    for period in built.periods:
        rebuilt = Reader(sh).live(indicator, period, cuts)
        for cut in cuts:
            assert rebuilt[cut.code] == seen[(period.code, cut.code)]
    assert any(f.numerator for f in seen.values())


def test_the_numbers(county):
    referrals(county)
    sh = shape()
    q1 = parse_period("2025-Q1")
    centre_1 = Cut("institution", str(county.inst("centre_1").pk))
    hospital = Cut("institution", str(county.inst("county_hospital").pk))

    def value(code, cut=COUNTY, period=q1):
        return Reader(sh).live(catalog.get(code), period, [cut])[cut.code]

    assert value("referrals.up_count").numerator == 2
    assert value("referrals.down_count").numerator == 2
    assert value("referrals.up_count", centre_1).numerator == 2      # one sent to the county, one received from A
    assert value("referrals.up_count", hospital).numerator == 1
    assert value("referrals.down_up_ratio").value == 100
    ratio = value("referrals.accepted_in_24h")
    assert (ratio.numerator, ratio.denominator) == (3, 5)  # 6 h, 23 h, 4 h in; 2 days and 25 h out
    mean = value("referrals.mean_acceptance_hours")
    assert (mean.numerator, mean.denominator, mean.value) == (Decimal("107.00"), 5, Decimal("21.40"))  # 6+49+23+4+25
    assert value("referrals.rejected_count").numerator == 1
    assert value("referrals.expired_count").numerator == 1
    assert value("referrals.questionable_count").numerator == 1
    assert value("referrals.outside_filings").numerator == 2
    assert value("referrals.outside_filings", centre_1).numerator == 1
    assert value("referrals.up_count", period=parse_period("2025-01")).numerator == 1
