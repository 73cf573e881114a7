"""rules.budget: the digest's worked example (004), the seeds' 6:3:1, 70/30 (001) and 40/60 (000) rules, and
every split adding up to its total to the fen."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigongti.rules import budget as b

D = Decimal


def test_the_worked_example_deductions_and_paid_amount():
    # records-referral-contracts.md: gross 100,000,000, 500,000 insured → 10,000,000 / 12,500,000 / 5,000,000
    fund = b.compute_fund(D("100000000"), 500_000, b.ZHIJIANG)
    assert dict(fund.deductions) == {"risk_reserve": D("10000000.00"), "critical_illness": D("12500000.00"),
                                     "out_of_county": D("5000000.00")}
    assert fund.paid == D("72500000.00")
    assert fund.paid + fund.deducted == fund.gross


def test_the_worked_example_year_end_surplus_splits_6_3_1():
    result = b.year_end(D("72500000"), D("70000000"), b.ZHIJIANG)
    assert result.code == b.SURPLUS
    assert result.balance == D("2500000.00")
    assert result.by_tier == {"county": D("1500000.00"), "township": D("750000.00"), "village": D("250000.00")}


def test_the_base_of_each_deduction_is_a_setting():
    rule = b.BudgetRule(deductions=(b.Deduction("risk_reserve", b.BASE_GROSS, D("0.10")),
                                    b.Deduction("critical_illness", b.BASE_PER_INSURED, D("25")),
                                    b.Deduction("out_of_county", b.BASE_REMAINING, D("0.05"))))
    fund = b.compute_fund(D("100000000"), 500_000, rule)
    # 5 % of what is left (77,500,000) rather than of the gross
    assert dict(fund.deductions)["out_of_county"] == D("3875000.00")
    assert fund.paid == D("73625000.00")


def test_sangzhi_fixed_private_spending_and_monthly_payments():
    rule = b.BudgetRule(deductions=(b.Deduction("risk_reserve", b.BASE_GROSS, D("0.10")),
                                    b.Deduction("private_institutions", b.BASE_FIXED, D("1234567.89"))),
                        schedule=b.SCHEDULE_MONTHLY)
    fund = b.compute_fund(D("50000000"), 0, rule)
    assert fund.paid == D("43765432.11")
    schedule = b.payment_schedule(fund.paid, 2026, rule.schedule)
    assert len(schedule) == 12 and sum(a for _, a in schedule) == fund.paid
    assert schedule[0][0] == dt.date(2026, 1, 1)


def test_quarterly_in_advance_and_due_by_a_date():
    schedule = b.payment_schedule(D("72500000"), 2026, b.SCHEDULE_QUARTERLY)
    assert [d for d, _ in schedule] == [dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                                        dt.date(2026, 10, 1)]
    assert all(a == D("18125000.00") for _, a in schedule)
    assert b.due_by(schedule, dt.date(2026, 5, 15)) == D("36250000.00")


def test_deficit_not_made_good_by_the_fund_by_default_and_shared_when_set():
    # 001 "超支不补": the consortium bears it all, split by the tier shares
    result = b.year_end(D("1000"), D("1100"), b.ZHIJIANG)
    assert result.code == b.DEFICIT and result.fund_bears == D("0.00") and result.consortium_amount == D("100.00")
    assert result.by_tier == {"county": D("60.00"), "township": D("30.00"), "village": D("10.00")}
    # 002 "合理超支分担": the fund bears half, the consortium's half split 8:2:0
    shared = b.BudgetRule(deductions=(), overspend_fund_share=D("0.5"),
                          overspend_tier_shares={"county": D(8), "township": D(2), "village": D(0)})
    result = b.year_end(D("1000"), D("1100.01"), shared)
    assert result.fund_bears + result.consortium_amount == D("100.01")
    assert sum(result.by_tier.values()) == result.consortium_amount
    assert result.by_tier["village"] == D("0.00")


def test_public_health_split_40_60_and_half_of_the_60():
    # seed 000: 40 % village clinics; of 60 % about half operating, half performance
    parts = b.split_fund(D("1000000"), b.PUBLIC_HEALTH_SPLIT)
    assert parts == {"village": D("400000.00"), "township.operating": D("300000.00"),
                     "township.performance": D("300000.00")}


def test_sangzhi_surplus_70_30():
    assert b.split_fund(D("100000.01"), b.SANGZHI_SURPLUS_SPLIT) == {"performance": D("70000.01"),
                                                                     "development": D("30000.00")}


def test_within_tier_by_services_and_equally_when_nobody_did_anything():
    assert b.split_within(D("750000"), {"A": 3, "B": 1}) == {"A": D("562500.00"), "B": D("187500.00")}
    assert b.split_within(D("1.00"), {"A": 0, "B": 0, "C": 0}) == {"A": D("0.34"), "B": D("0.33"), "C": D("0.33")}
    assert b.split_within(D("1.00"), {"A": 5, "B": 0}, b.WITHIN_EQUAL) == {"A": D("0.50"), "B": D("0.50")}
    assert b.split_within(D("1.00"), {}) == {}


def test_rules_round_trip_as_data_and_are_checked():
    data = b.rule_to_data(b.ZHIJIANG)
    assert b.rule_from_data(data) == b.ZHIJIANG
    assert b.check_rule(b.ZHIJIANG) == []
    bad = b.BudgetRule(deductions=(b.Deduction("x", "percent", D("2")),), schedule="weekly",
                       tier_shares={"county": D(0)}, within_tier="vote", overspend_fund_share=D("1.5"))
    assert set(b.check_rule(bad)) == {b.BAD_BASE, b.BAD_SCHEDULE, b.BAD_TIER_SHARES, b.BAD_WITHIN, b.BAD_OVERSPEND}
    assert b.parts_from_data(b.parts_to_data(b.PUBLIC_HEALTH_SPLIT)) == b.PUBLIC_HEALTH_SPLIT


def test_deductions_larger_than_the_fund_are_refused():
    with pytest.raises(ValueError, match=b.DEDUCTIONS_EXCEED_FUND):
        b.compute_fund(D("100"), 10, b.ZHIJIANG)


def test_forecast_and_penalty():
    assert b.forecast_year_spend(D("1000"), 2026, dt.date(2026, 1, 1)) == D("365000.00")
    assert b.forecast_year_spend(D("500"), 2026, dt.date(2026, 12, 31)) == D("500.00")
    assert b.penalty(D("8000"), D("5200.50")) == D("2799.50")
    assert b.penalty(D("3000"), D("5200")) == D("0.00")


money = st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False, allow_infinity=False)
weights = st.integers(min_value=0, max_value=1000)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money, st.dictionaries(st.sampled_from(b.TIERS), weights, min_size=1).filter(lambda d: sum(d.values())))
def test_tier_splits_always_sum(total, shares):
    assert sum(b.split_by_tier(total, shares).values()) == total


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money, st.lists(weights, min_size=1, max_size=20))
def test_within_tier_splits_always_sum(total, ws):
    assert sum(b.split_within(total, dict(enumerate(ws))).values()) == total


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money, money, st.decimals(min_value=0, max_value=1, places=3))
def test_year_end_always_sums(paid, spent, fund_share):
    rule = b.BudgetRule(deductions=(), overspend_fund_share=fund_share)
    r = b.year_end(paid, spent, rule)
    assert sum(r.by_tier.values()) == r.consortium_amount
    assert r.consortium_amount + r.fund_bears == abs(paid - spent)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money, st.integers(min_value=0, max_value=2_000_000), st.decimals(min_value=0, max_value=1, places=4))
def test_fund_parts_always_sum_to_the_gross(gross, insured, rate):
    rule = b.BudgetRule(deductions=(b.Deduction("a", b.BASE_GROSS, rate), b.Deduction("b", b.BASE_REMAINING, rate)))
    fund = b.compute_fund(gross, insured, rule)
    assert fund.paid + fund.deducted == fund.gross


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money, st.sampled_from(b.SCHEDULES))
def test_payment_schedules_always_sum(paid, schedule):
    assert sum(a for _, a in b.payment_schedule(paid, 2026, schedule)) == paid


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(money)
def test_fund_splits_always_sum(total):
    assert sum(b.split_fund(total, b.PUBLIC_HEALTH_SPLIT).values()) == total
    assert sum(b.split_fund(total, b.SANGZHI_SURPLUS_SPLIT).values()) == total
