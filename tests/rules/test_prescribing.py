"""rules/prescribing.py: long prescriptions ≤ 12 weeks, controlled drugs never on a long prescription,
village doctors only non-restricted antibiotics, the tier catalog, and FEFO allocation across batches."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import prescribing as p

D = dt.date(2026, 11, 23)


def test_twelve_weeks_is_the_longest_long_prescription():
    assert p.check_duration(long_term=True, days=84) is None
    assert p.check_duration(long_term=True, days=91) == "long_too_long"
    assert p.check_duration(long_term=True, days=85) == "long_too_long"


def test_ordinary_prescriptions_have_their_own_ceiling_and_need_days():
    assert p.check_duration(long_term=False, days=30) is None
    assert p.check_duration(long_term=False, days=31) == "ordinary_too_long"
    assert p.check_duration(long_term=False, days=8, ordinary_max_days=7) == "ordinary_too_long"
    assert p.check_duration(long_term=False, days=0) == "days_required"


def _line(**kw):
    base = {"tier": "village", "prescriber_is_village_doctor": True, "prescriber_title": "junior",
            "long_term": False, "drug": p.DrugFacts(), "in_tier_catalog": True}
    base.update(kw)
    return p.check_line(**base)


def test_village_doctors_only_prescribe_unrestricted_antibiotics():
    assert _line(drug=p.DrugFacts(antibiotic_level="unrestricted")) == []
    assert _line(drug=p.DrugFacts(antibiotic_level="restricted")) == ["antibiotic_level"]
    assert _line(drug=p.DrugFacts(antibiotic_level="special")) == ["antibiotic_level"]


def test_antibiotic_authority_follows_the_title():
    assert p.antibiotic_authority(is_village_doctor=False, title="junior") == "unrestricted"
    assert p.antibiotic_authority(is_village_doctor=False, title="intermediate") == "restricted"
    assert p.antibiotic_authority(is_village_doctor=False, title="senior") == "special"
    assert p.antibiotic_authority(is_village_doctor=True, title="senior") == "unrestricted"
    assert _line(tier="township", prescriber_is_village_doctor=False, prescriber_title="intermediate",
                 drug=p.DrugFacts(antibiotic_level="restricted")) == []


@pytest.mark.parametrize("cls", sorted(p.CONTROLLED))
def test_no_controlled_drug_on_a_long_prescription(cls):
    codes = _line(tier="township", prescriber_is_village_doctor=False, long_term=True,
                  drug=p.DrugFacts(controlled_class=cls))
    assert "controlled_long_term" in codes


def test_narcotics_never_at_village_level_and_the_tier_catalog_applies():
    assert "controlled_village" in _line(drug=p.DrugFacts(controlled_class="narcotic"))
    assert _line(drug=p.DrugFacts(controlled_class="psychotropic_2")) == []
    assert _line(in_tier_catalog=False) == ["not_in_tier_catalog"]
    assert _line(drug=p.DrugFacts(active=False)) == ["inactive"]


def test_fefo_takes_the_earliest_expiry_first_across_batches():
    lots = [p.Lot(3, D + dt.timedelta(days=200), 10), p.Lot(1, D + dt.timedelta(days=30), 4),
            p.Lot(2, D + dt.timedelta(days=30), 5)]
    assert p.allocate_fefo(lots, 12, D) == [(1, 4), (2, 5), (3, 3)]


def test_fefo_skips_expired_and_empty_lots_and_reports_a_shortage():
    lots = [p.Lot(1, D - dt.timedelta(days=1), 50), p.Lot(2, D, 3), p.Lot(3, D + dt.timedelta(days=9), 0)]
    assert p.allocate_fefo(lots, 3, D) == [(2, 3)]
    with pytest.raises(p.Shortage) as exc:
        p.allocate_fefo(lots, 4, D)
    assert exc.value.available == 3


@given(st.lists(st.tuples(st.integers(-5, 60), st.integers(0, 20)), max_size=8), st.integers(1, 100))
def test_fefo_never_takes_more_than_a_lot_holds_and_takes_exactly_what_is_asked(spec, want):
    lots = [p.Lot(i + 1, D + dt.timedelta(days=days), n) for i, (days, n) in enumerate(spec)]
    usable = sum(lot.available for lot in lots if lot.expiry >= D)
    try:
        plan = p.allocate_fefo(lots, want, D)
    except p.Shortage as short:
        assert usable < want and short.available == usable
        return
    by_id = {lot.id: lot for lot in lots}
    assert sum(n for _, n in plan) == want
    assert all(0 < n <= by_id[i].available and by_id[i].expiry >= D for i, n in plan)
    keys = [(by_id[i].expiry, i) for i, _ in plan]
    assert keys == sorted(keys)


def test_near_expiry():
    assert p.near_expiry(D + dt.timedelta(days=90), D, 90)
    assert not p.near_expiry(D + dt.timedelta(days=91), D, 90)
    assert not p.near_expiry(D - dt.timedelta(days=1), D, 90)


def test_stock_turnover_is_dispensed_cost_over_the_average_of_opening_and_closing_stock():
    import datetime as dt
    from decimal import Decimal as D

    from yigongti.rules.indicators import UNIT_TIMES, make_figure
    from yigongti.rules.prescribing import turnover_parts

    d = dt.date
    ledger = [{"institution_id": 1, "on": d(2025, 3, 10), "kind": "receipt", "value": D("25.00")},
              {"institution_id": 1, "on": d(2025, 3, 10), "kind": "dispense", "value": D("-5.00")},
              {"institution_id": 1, "on": d(2025, 3, 10), "kind": "scrap", "value": D("-2.00")},
              {"institution_id": 1, "on": d(2025, 6, 1), "kind": "scrap", "value": D("-1.00")},
              {"institution_id": 2, "on": d(2025, 1, 1), "kind": "receipt", "value": D("100.00")}]
    # March: opening 0, closing 18, dispensed 5 → 5 / 9 = 0.56 times
    assert turnover_parts(ledger, d(2025, 3, 1), d(2025, 3, 31), {1}) == (D("5.00"), D("9.00"))
    assert make_figure(D("5.00"), D("9.00"), UNIT_TIMES).value == D("0.56")
    # the year: closing 17 → average 8.50; June: opening 18, closing 17, nothing dispensed
    assert turnover_parts(ledger, d(2025, 1, 1), d(2025, 12, 31), {1}) == (D("5.00"), D("8.50"))
    assert turnover_parts(ledger, d(2025, 6, 1), d(2025, 6, 30), {1}) == (D("0.00"), D("17.50"))
    # another institution's stock counts only when it is in the cut; no stock at all: no figure
    assert turnover_parts(ledger, d(2025, 3, 1), d(2025, 3, 31), None) == (D("5.00"), D("109.00"))
    assert make_figure(*turnover_parts(ledger, d(2024, 1, 1), d(2024, 12, 31)), UNIT_TIMES).value is None
