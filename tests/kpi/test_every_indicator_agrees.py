"""The one check every live indicator passes: the pure function on its fixture = the live value = a rebuild
= the drill-down's own count, for every period of the fixture and every cut the indicator allows."""
import pytest
from django.db import transaction

from yigongti.kpi import actions, catalog
from yigongti.kpi.queries import Reader, drill_figure, drilldown
from yigongti.kpi.structure import shape

from . import people_adapter
from .fixtures import FIXTURES

LIVE = [i.code for i in catalog.computable()]


def test_every_live_indicator_names_a_fixture_that_exists():
    missing = [i.code for i in catalog.computable() if i.fixture not in FIXTURES]
    assert not missing, f"indicators without a fixture in tests/kpi/fixtures.py: {missing}"


def _pure(indicator, records, period, cut, sh):
    if indicator.spec is not None:
        from yigongti.kpi import encounters

        return encounters.pure_figure(indicator, records, period, cut, sh)
    return indicator.hooks.pure(records, period, cut, sh)


@pytest.mark.parametrize("code", LIVE)
def test_pure_equals_live_equals_rebuild_equals_drilldown(code, county):
    people_adapter.require()
    indicator = catalog.get(code)
    built = FIXTURES[indicator.fixture](county)
    sh = shape()
    office = county.users["consortium_office"]
    cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
    seen = {}
    for period in built.periods:
        live = Reader(sh).live(indicator, period, cuts)
        for cut in cuts:
            pure = _pure(indicator, built.records, period, cut, sh)
            drilled = drill_figure(indicator, drilldown(office, indicator, period, cut, sh), period, cut, sh)
            assert pure == live[cut.code] == drilled, (period.code, cut.code, pure, live[cut.code], drilled)
            seen[(period.code, cut.code)] = pure
    with transaction.atomic():
        actions.rebuild()
    for period in built.periods:
        rebuilt = Reader(sh).live(indicator, period, cuts)
        for cut in cuts:
            assert rebuilt[cut.code] == seen[(period.code, cut.code)], (period.code, cut.code)
    assert any(f.numerator for f in seen.values()), "the fixture gives this indicator nothing to count"
