"""rules.money.split_by_shares: exact to the fen, parts add up to the total, largest remainder."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules.money import split_by_shares


def test_the_worked_example_of_the_domain_text():
    # records-referral-contracts.md: surplus 2,500,000 split 6:3:1 → 1,500,000 / 750,000 / 250,000
    assert split_by_shares(Decimal("2500000"), [6, 3, 1]) == [Decimal("1500000.00"), Decimal("750000.00"),
                                                              Decimal("250000.00")]


def test_leftover_fen_go_to_the_largest_remainders():
    assert split_by_shares(Decimal("0.10"), [1, 1, 1]) == [Decimal("0.04"), Decimal("0.03"), Decimal("0.03")]
    assert split_by_shares(Decimal("100"), [1, 2]) == [Decimal("33.33"), Decimal("66.67")]


def test_zero_shares_get_nothing_and_bad_shares_are_refused():
    assert split_by_shares(Decimal("60"), [0, 0, 100]) == [Decimal("0.00"), Decimal("0.00"), Decimal("60.00")]
    with pytest.raises(ValueError):
        split_by_shares(Decimal("1"), [0, 0])
    with pytest.raises(ValueError):
        split_by_shares(Decimal("1"), [-1, 2])


@given(st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=0, max_value=1000), min_size=1,
                                                          max_size=6).filter(lambda s: sum(s) > 0))
def test_parts_always_add_up(fen, shares):
    total = Decimal(fen) / 100
    parts = split_by_shares(total, shares)
    assert sum(parts) == total
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)
    assert all(p == 0 for p, s in zip(parts, shares, strict=True) if s == 0)
