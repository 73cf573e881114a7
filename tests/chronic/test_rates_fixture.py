"""Done when: a fixture with stated expected numbers (a telephone-only patient, a mid-year enrolee, a
34-year-old and an I15 patient) gives exactly those 管理率, 规范管理率 and 控制率 — live, pure and drilled."""
from decimal import Decimal

import pytest

from yigongti.chronic.indicators import INDICATORS
from yigongti.kpi.structure import shape
from yigongti.rules.indicators import Cut, parse_period

from . import kpi_fixture

BY_CODE = {i.code: i for i in INDICATORS if i.fixture == "chronic"}   # issue 17 rates have their own fixture
EXPECTED = {  # cut -> (管理率, 规范管理率, 控制率)
    "county": ("71.43", "40.00", "40.00"),
    "township_1": ("80.00", "50.00", "50.00"),
    "township_2": ("50.00", "0.00", "0.00"),
}


@pytest.fixture
def built(scenario):
    return kpi_fixture.build(scenario)


def _cut(s, name):
    return Cut() if name == "county" else Cut("township", str(getattr(s, name).pk))


def test_stated_numbers(scenario, built):
    sh = shape()
    year = parse_period("2026")
    for name, (management, standard, controlled) in EXPECTED.items():
        cut = _cut(scenario, name)
        for code, want in (("management", management), ("standard", standard), ("controlled", controlled)):
            ind = BY_CODE[f"chronic.hypertension.{code}"]
            live = ind.hooks.live(year, cut, sh)
            pure = ind.hooks.pure(built, year, cut, sh)
            assert live == pure, (name, code)
            assert live.value == Decimal(want), (name, code, live)
    county = BY_CODE["chronic.hypertension.management"].hooks.live(year, Cut(), sh)
    assert (county.numerator, county.denominator) == (5, Decimal("7.00"))


def test_drilldown_lists_the_patients_behind_the_number(scenario, built):
    sh = shape()
    ind = BY_CODE["chronic.hypertension.standard"]
    qs = ind.hooks.drilldown(scenario.consortium_office, parse_period("2026"), Cut(), sh)
    assert sorted(qs.values_list("name", flat=True)) == ["年中丙", "规范甲"]
    assert ind.hooks.drill_figure(qs, parse_period("2026"), Cut(), sh).value == Decimal("40.00")
    controlled = BY_CODE["chronic.diabetes.controlled"].hooks.live(parse_period("2026"), Cut(), sh)
    assert (controlled.numerator, controlled.denominator) == (1, 2)


def test_every_chronic_indicator_agrees_pure_live_drilled(scenario, built):
    """The catalog's check (tests/kpi/test_every_indicator_agrees.py) on the chronic fixture, here too."""
    from yigongti.kpi import catalog
    from yigongti.kpi.queries import Reader, drill_figure, drilldown

    sh = shape()
    for code in BY_CODE:
        indicator = catalog.get(code)
        cuts = [cut for level in indicator.levels for cut in sh.cuts(level)]
        for period in (parse_period("2026"), parse_period("2026-11")):
            live = Reader(sh).live(indicator, period, cuts)
            for cut in cuts:
                pure = indicator.hooks.pure(built, period, cut, sh)
                drilled = drill_figure(indicator, drilldown(scenario.consortium_office, indicator, period, cut, sh),
                                       period, cut, sh)
                assert pure == live[cut.code] == drilled, (code, period.code, cut.code, pure, live[cut.code], drilled)


def test_the_chronic_admission_rate(scenario, built):
    """县域内慢性病健康管理人群住院率 on the fixture: 规范甲 (two stays, counted once) and 糖高壬 of the 7 managed;
    年轻丁 is not in the population and 电话乙's stay ended in 2025."""
    from yigongti.kpi import catalog

    sh = shape()
    indicator = catalog.get("national.chronic_admission_rate")
    year = parse_period("2026")
    want = {"county": (2, 7, Decimal("28.57")), "township_1": (1, 5, Decimal("20.00")),
            "township_2": (1, 2, Decimal("50.00"))}
    for name, expected in want.items():
        cut = _cut(scenario, name)
        live = indicator.hooks.live(year, cut, sh)
        assert (live.numerator, live.denominator, live.value) == expected, name
        assert indicator.hooks.pure(built, year, cut, sh) == live
        drilled = indicator.hooks.drilldown(scenario.consortium_office, year, cut, sh)
        assert indicator.hooks.drill_figure(drilled, year, cut, sh) == live
