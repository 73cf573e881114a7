"""The finance part of the demo county: the worked example's deductions, a settled 2025 split 6:3:1 to the fen,
a live in-county share for 2026, a month of work points, an expense approval."""
import datetime as dt
from decimal import Decimal

from django.db import transaction

from yigongti.demo.registry import DemoContext, generate
from yigongti.finance import queries
from yigongti.finance.models import BudgetYear, Expense, PointLine, PointSheet

D = Decimal


def test_the_demo_money(db):
    with transaction.atomic():
        generate(DemoContext(scale="tiny", seed=1, log=lambda line: None))
        by_2025 = BudgetYear.objects.get(year=2025)
        s = by_2025.settlement
        assert s["code"] == "surplus" and D(s["spent"]) == D("70000000.00")
        assert {k: D(v) for k, v in s["by_tier"].items()} == {"county": D("1500000.00"), "township": D("750000.00"),
                                                              "village": D("250000.00")}
        view = queries.overview(BudgetYear.objects.get(year=2026), on=dt.date(2026, 11, 1))
        assert dict(view["fund"].deductions) == {"risk_reserve": D("10000000.00"),
                                                 "critical_illness": D("12500000.00"),
                                                 "out_of_county": D("5000000.00")}
        assert view["fund"].paid == D("72500000.00")
        assert D(50) < view["spend"]["in_county_share"] < D(100)
        assert PointSheet.objects.filter(status="approved").exists()
        assert PointLine.objects.filter(total__gt=0).exists()
        assert set(Expense.objects.values_list("status", flat=True)) == {"recorded", "approved", "pending"}
        transaction.set_rollback(True)
