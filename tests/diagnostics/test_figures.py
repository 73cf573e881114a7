"""The diagnostics figures pass the catalog's one check — pure function on the fixture = live value = rebuild =
the drill-down's own count — for every period and cut, and give the numbers the fixture was built to give."""
import pytest
from django.db import transaction

from tests.kpi.conftest import AREAS, INSTITUTIONS, USERS, County
from yigongti.kpi import actions as kpi_actions
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader, drill_figure, drilldown
from yigongti.kpi.structure import shape
from yigongti.rules.indicators import COUNTY, Cut, parse_period

from .kpi_fixture import diagnostics

CODES = [i.code for i in catalog.computable() if i.code.startswith("diagnostics.")]
pytestmark = pytest.mark.django_db


@pytest.fixture
def county(scenario):
    return County(areas={n: getattr(scenario, n) for n in AREAS},
                  institutions={n: getattr(scenario, n) for n in INSTITUTIONS},
                  users={n: getattr(scenario, n) for n in USERS})


def test_every_figure_is_declared():
    assert len(CODES) == 12


def test_pure_equals_live_equals_rebuild_equals_drilldown(county):
    built = diagnostics(county)
    sh = shape()
    office = county.users["consortium_office"]
    for code in CODES:
        indicator = catalog.get(code)
        cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
        seen = {}
        for period in built.periods:
            live = Reader(sh).live(indicator, period, cuts)
            for cut in cuts:
                pure = indicator.hooks.pure(built.records, period, cut, sh)
                drilled = drill_figure(indicator, drilldown(office, indicator, period, cut, sh), period, cut, sh)
                assert pure == live[cut.code] == drilled, (code, period.code, cut.code, pure, live[cut.code], drilled)
                seen[(period.code, cut.code)] = pure
        with transaction.atomic():
            kpi_actions.rebuild()
        for period in built.periods:
            rebuilt = Reader(sh).live(indicator, period, cuts)
            for cut in cuts:
                assert rebuilt[cut.code] == seen[(period.code, cut.code)]
        assert any(f.numerator for f in seen.values()), code


def test_the_numbers(county):
    diagnostics(county)
    sh = shape()

    def value(code, period="2025-Q1", cut=COUNTY):
        return Reader(sh).live(catalog.get(f"diagnostics.{code}"), parse_period(period), [cut])[cut.code]

    centre_1 = Cut("institution", str(county.inst("centre_1").pk))
    hospital = Cut("institution", str(county.inst("county_hospital").pk))
    assert value("readings").numerator == 4
    assert value("readings", "2025-04").numerator == 1
    assert value("readings", cut=hospital).numerator == 4
    assert value("readings", cut=centre_1).numerator == 1
    assert value("readings_ecg", "2025-01").numerator == 2
    assert value("readings_lab", "2025-02").numerator == 1
    assert value("turnaround_p50").numerator == 30  # 20, 30, 90, 1560
    assert value("turnaround_p90").numerator == 1560
    on_time = value("on_time")
    assert (on_time.numerator, on_time.denominator) == (3, 4)
    assert value("critical_count", "2025").numerator == 2
    ack = value("ack_in_time", "2025")
    assert (ack.numerator, ack.denominator) == (1, 2)
    assert value("ack_p50", "2025").numerator == 10
    assert value("avoided_repeats", "2025-01").numerator == 1
    assert value("repeats_with_reason", "2025-01").numerator == 1
    assert value("readings", "2024").numerator == 0
