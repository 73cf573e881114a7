"""rules.indicators: periods, the encounter period rule, measures, figures and changes (pure)."""
import datetime as dt
from decimal import Decimal

import pytest

from yigongti.rules import indicators as r


def test_it_parses_every_period_kind():
    assert r.parse_period("2025") == r.Period(2025, "year")
    assert r.parse_period("2025-Q2").months() == ((2025, 4), (2025, 5), (2025, 6))
    assert r.parse_period("2025-03").start == dt.date(2025, 3, 1)
    assert r.parse_period("2024-02").end == dt.date(2024, 2, 29)
    ytd = r.parse_period("2025-ytd05")
    assert ytd.code == "2025-YTD05" and len(ytd.months()) == 5


@pytest.mark.parametrize("text", ["", "25", "2025-13", "2025-Q5", "2025-YTD00", "2025/03", "abcd"])
def test_it_rejects_a_malformed_period_with_a_code(text):
    with pytest.raises(r.RuleError) as exc:
        r.parse_period(text)
    assert exc.value.code == r.PERIOD_INVALID


def test_year_on_year_and_period_on_period():
    assert r.same_period_last_year(r.parse_period("2025-Q1")).code == "2024-Q1"
    assert r.previous_period(r.parse_period("2025-01")).code == "2024-12"
    assert r.previous_period(r.parse_period("2025-Q1")).code == "2024-Q4"
    assert r.previous_period(r.parse_period("2025")).code == "2024"
    assert r.previous_period(r.parse_period("2025-YTD04")) is None


def test_change_is_relative_to_the_figure_itself_not_percentage_points():
    # 000 成效分析: a drug share from 40% to 28.7% is a fall of 28.25% of the figure, not 11.3 points.
    assert r.relative_change(Decimal("28.70"), Decimal("40.00")) == Decimal("-28.25")
    assert r.relative_change(11074, 10000) == Decimal("10.74")
    assert r.relative_change(5, 0) is None
    assert r.relative_change(None, 3) is None


def test_stays_count_in_the_month_of_discharge_and_visits_in_the_month_of_the_visit():
    assert r.encounter_month("outpatient", dt.date(2025, 1, 31), None) == (2025, 1)
    assert r.encounter_month("inpatient", dt.date(2025, 1, 28), dt.date(2025, 2, 3)) == (2025, 2)
    assert r.encounter_month("inpatient", dt.date(2025, 1, 28), None) is None


def test_a_ratio_is_computed_from_cells_in_fen_exactly():
    records = [
        {"institution_id": 1, "kind": "outpatient", "visit_date": "2025-03-02", "discharge_date": None,
         "total_cost": "100.10", "drug_cost": "40.05", "is_tcm": False},
        {"institution_id": 1, "kind": "outpatient", "visit_date": "2025-03-09", "discharge_date": None,
         "total_cost": "0.20", "drug_cost": "0.10", "is_tcm": True},
    ]
    cells = [r.encounter_cell(rec, "township") for rec in records]
    drug_share = r.RatioSpec(r.Measure("drug_cost"), r.Measure("total_cost"), r.UNIT_PERCENT)
    figure = drug_share.figure(cells)
    assert figure == r.Figure(Decimal("40.15"), Decimal("100.30"), Decimal("40.03"))
    avg = r.RatioSpec(r.Measure("total_cost", r.VISIT_KINDS), r.Measure("visits", r.VISIT_KINDS), r.UNIT_YUAN)
    assert avg.figure(cells).value == Decimal("50.15")
    tcm = r.RatioSpec(r.Measure("visits", tcm=True), r.Measure("visits"), r.UNIT_PERCENT)
    assert tcm.figure(cells).value == Decimal("50.00")
    assert tcm.figure(cells, months=[(2025, 4)]).value is None


def test_a_resident_counts_for_the_area_of_residence_at_the_period_end():
    placements = [r.Placement(1, 10, dt.date(2024, 1, 5), dt.date(2025, 6, 10)),
                  r.Placement(1, 20, dt.date(2025, 6, 10)),
                  r.Placement(2, 10, dt.date(2025, 3, 1), dt.date(2025, 3, 20))]
    assert r.placed_at(placements, dt.date(2025, 3, 31)) == {1: 10}
    assert r.placed_at(placements, dt.date(2025, 6, 30)) == {1: 20}
    flows = r.placement_flows(placements)
    assert r.stock_at(flows, (2025, 3), [10]) == 1
    assert r.stock_at(flows, (2025, 6), [10]) == 0
    assert r.stock_at(flows, (2025, 6), [20]) == 1


def test_cuts_parse_and_refuse_nonsense():
    assert r.parse_cut(None) == r.COUNTY
    assert r.parse_cut("institution:12").key == "12"
    assert r.parse_cut("tier:village").code == "tier:village"
    for bad in ("tier:moon", "institution:x", "planet:1", "township:"):
        with pytest.raises(r.RuleError):
            r.parse_cut(bad)


def test_an_incomplete_declaration_is_reported_with_codes():
    bare = r.Indicator(code="x.y", name="n", numerator="a", unit=r.UNIT_PERCENT, direction="up",
                       source="seed", levels=("county",), period_rule="p")
    assert {"computation_missing", "fixture_missing", "words_missing"} <= set(r.declaration_problems(bare))
    waiting = r.Indicator(code="x.waiting", name="n", numerator="a", denominator="b", unit=r.UNIT_PERCENT,
                          direction="down", source="national_2024", levels=("county",), period_rule="p",
                          status=r.STATUS_NEEDS_DATA, data_needs="settlements")
    assert r.declaration_problems(waiting) == []


def test_changes_use_the_unrounded_figure():
    now = r.make_figure(Decimal("1950.00"), Decimal("6400.00"), r.UNIT_PERCENT)
    before = r.make_figure(Decimal("2640.00"), Decimal("6400.00"), r.UNIT_PERCENT)
    assert (now.value, before.value) == (Decimal("30.47"), Decimal("41.25"))
    assert r.relative_change(now.exact(r.UNIT_PERCENT), before.exact(r.UNIT_PERCENT)) == Decimal("-26.14")
