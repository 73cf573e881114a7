"""Settlement import: the documented layout, every rejected row reported with its reason, good rows kept,
re-importing updates rather than duplicates."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from yigongti.finance.importing import KIND, import_settlements
from yigongti.finance.models import Settlement
from yigongti.people.importing import template_workbook

from .helpers import HEADER

pytestmark = pytest.mark.django_db

GOOD = [
    "2026-03,居民,住院,是,H001,,120,110,600000.00,420000.00",
    "2026-03,职工,门诊,是,T001,,900,800,90000,63000",
    "2026年3月,居民,住院,否,X001,省人民医院,10,10,200000,120000",
]
BAD = [
    "2026-13,居民,住院,是,H001,,1,1,1,1",           # month
    "2026-03,新农合,住院,是,H001,,1,1,1,1",          # scheme
    "2026-03,居民,住院,也许,H001,,1,1,1,1",          # in-county
    "2026-03,居民,住院,否,X002,,1,1,1,1",            # out-of-county without a name
    "2026-03,居民,住院,是,H001,,1,1,100,200",        # fund paid above total cost
    "2026-03,居民,住院,是,H001,,abc,1,100,50",       # cases not a number
]


def test_good_rows_are_kept_and_every_bad_row_is_reported_with_its_reason(scenario):
    data = (HEADER + "\n".join(GOOD + BAD) + "\n").encode("utf-8")
    counts = import_settlements(scenario.consortium_office, data, "settlements.csv")
    assert (counts.rows, counts.created, counts.failed) == (9, 3, 6)
    reported = {row: (column, reason) for row, column, reason in counts.errors}
    assert set(reported) == {5, 6, 7, 8, 9, 10}
    assert reported[5][0] == "结算月份"
    assert reported[6][0] == "险种"
    assert reported[7][0] == "县域内"
    assert reported[8][0] == "定点机构名称"
    assert reported[9][0] == "基金支付"
    assert reported[10][0] == "结算人次"
    hospital = Settlement.objects.get(provider_code="H001")
    assert hospital.institution == scenario.county_hospital and hospital.fund_paid == Decimal("420000.00")
    outside = Settlement.objects.get(provider_code="X001")
    assert outside.institution is None and not outside.in_county


def test_reimporting_updates_and_never_duplicates(scenario):
    data = (HEADER + "\n".join(GOOD) + "\n").encode("utf-8")
    import_settlements(scenario.consortium_office, data, "s.csv")
    again = import_settlements(scenario.consortium_office, data, "s.csv")
    assert (again.created, again.unchanged) == (0, 3)
    changed = data.decode().replace("420000.00", "430000.00").encode()
    third = import_settlements(scenario.consortium_office, changed, "s.csv")
    assert third.updated == 1 and Settlement.objects.count() == 3


def test_only_the_finance_role_imports(scenario):
    with pytest.raises(PermissionDenied):
        import_settlements(scenario.institution_admin_t1, (HEADER + GOOD[0]).encode(), "s.csv")


def test_the_template_reads_back(scenario):
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_workbook(KIND)))
    header = [c.value for c in book.active[1]]
    assert header[0].startswith("结算月份") and header[-1].startswith("基金支付")
    counts = import_settlements(scenario.consortium_office, template_workbook(KIND), "t.xlsx")
    assert counts.rows == 1  # the example row (its provider code is not a member here: named, so kept)
