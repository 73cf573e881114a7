"""The population programmes' rates state the fixture's exact numbers (tests/chronic/kpi_fixture.py,
``chronic_programmes``); test_every_indicator_agrees checks pure = live = drill-down for each."""
from types import SimpleNamespace

from yigongti.chronic.rates_programmes import figure
from yigongti.rules.indicators import parse_period

from .kpi_fixture import build_programmes


def test_the_fixtures_numbers(scenario):
    s = SimpleNamespace(**{k: getattr(scenario, k) for k in dir(scenario) if not k.startswith("_")})
    records = build_programmes(s)
    period = parse_period("2026")
    got = {m: figure(m, records, period, None) for m in (
        "older_management", "child_management", "child_systematic", "maternal_early", "maternal_postpartum")}
    assert (got["older_management"].numerator, got["older_management"].denominator) == (2, 14)
    assert (got["child_management"].numerator, got["child_management"].denominator) == (3, 12)
    assert (got["child_systematic"].numerator, got["child_systematic"].denominator) == (1, 6)
    assert (got["maternal_early"].numerator, got["maternal_early"].denominator) == (2, 5)
    assert (got["maternal_postpartum"].numerator, got["maternal_postpartum"].denominator) == (1, 5)
    assert str(got["older_management"].value) == "14.29"
    township_1 = {s.village_a.pk, s.village_b.pk, s.township_1.pk}
    assert figure("older_management", records, period, township_1).numerator == 1


def test_the_programme_page_shows_the_population_rates(scenario, client):
    s = SimpleNamespace(**{k: getattr(scenario, k) for k in dir(scenario) if not k.startswith("_")})
    build_programmes(s)
    client.force_login(scenario.township_doctor)
    page = client.get("/chronic/programmes/older/?year=2026").content.decode()
    assert "老年人健康管理率" in page and "14.29" in page
    page = client.get("/chronic/programmes/maternal/?year=2026").content.decode()
    assert "早孕建册率" in page and "40.00" in page and "20.00" in page
