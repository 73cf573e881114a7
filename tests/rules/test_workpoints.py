"""rules.workpoints: points per service × value, quality factor, pay split by points to the fen."""
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigongti.rules import workpoints as w

D = Decimal


def test_month_points_count_times_value_times_factor():
    m = w.month_points({w.FOLLOWUP: 10, w.CONTRACT: 2, "unknown": 5}, w.DEFAULT_VALUES, D("1.10"))
    assert m.by_kind == {w.FOLLOWUP: D("20.00"), w.CONTRACT: D("6.00")}
    assert m.base == D("26.00") and m.total == D("28.60")


def test_quality_factor_from_known_rates_clamped():
    assert w.quality_factor({}) == D("1.00")
    assert w.quality_factor({"control_rate": None}) == D("1.00")
    assert w.quality_factor({"control_rate": D("1"), "fulfilment": D("1")}) == D("1.20")
    assert w.quality_factor({"control_rate": D("0"), "fulfilment": D("0")}) == D("0.80")
    assert w.quality_factor({"control_rate": D("0.5")}) == D("1.00")
    assert w.quality_factor({"control_rate": D("7")}) == D("1.20")


def test_pay_by_points_exact_to_the_fen():
    assert w.pay_by_points(D("100"), {"a": D("1"), "b": D("2"), "c": D("0")}) == {
        "a": D("33.33"), "b": D("66.67"), "c": D("0.00")}
    assert w.pay_by_points(D("100"), {"a": D("0")}) == {"a": D("0.00")}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.decimals(min_value=0, max_value=10**8, places=2),
       st.lists(st.decimals(min_value=0, max_value=10**4, places=2), min_size=1, max_size=30).filter(any))
def test_pay_always_sums_to_the_pool(pool, points):
    assert sum(w.pay_by_points(pool, dict(enumerate(points))).values()) == pool
