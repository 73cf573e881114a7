"""The pages: the budget year with its worked-example deductions, import with reported rows, work points
with the XLSX for payroll, expense approval, the printable statement."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yigongti.finance import actions
from yigongti.finance.models import Expense, ExpenseStatus

from .helpers import HEADER, line

pytestmark = pytest.mark.django_db


def test_the_budget_year_page_shows_the_worked_example(client, scenario):
    office = scenario.consortium_office
    actions.set_budget_year(office, year=2026, gross_fund="100000000", insured=500_000)
    line(office, code="H001", fund_paid="7000000", total_cost="9000000")
    line(office, code="X001", name="省人民医院", in_county=False, fund_paid="3000000", total_cost="4000000")
    client.force_login(office)
    page = client.get("/finance/budget/2026/")
    text = page.content.decode()
    assert page.status_code == 200
    for figure in ("10000000.00", "12500000.00", "5000000.00", "72500000.00", "70.0"):
        assert figure in text
    assert 'data-chart="chart-burn"' in text


def test_the_budget_pages_are_for_the_office_and_the_bureau(client, scenario):
    actions.set_budget_year(scenario.consortium_office, year=2026, gross_fund="1000000", insured=1)
    client.force_login(scenario.township_doctor)
    assert client.get("/finance/budget/2026/").status_code == 403
    assert client.get("/finance/settlements/").status_code == 403
    client.force_login(scenario.health_bureau)
    assert client.get("/finance/budget/2026/").status_code == 200
    assert client.post("/finance/budget/", {"year": 2027, "gross_fund": "1"}).status_code == 403


def test_setting_a_year_with_a_bad_amount_shows_the_field_error(client, scenario):
    client.force_login(scenario.consortium_office)
    page = client.post("/finance/budget/", {"year": 2026, "gross_fund": "很多"})
    assert page.status_code == 200 and "请填写金额" in page.content.decode()


def test_the_import_page_reports_rows_and_keeps_good_ones(client, scenario):
    client.force_login(scenario.consortium_office)
    data = (HEADER + "2026-03,居民,住院,是,H001,,10,10,100,50\n2026-03,居民,住院,是,H001,,1,1,1,5\n").encode()
    page = client.post("/finance/settlements/", {"file": SimpleUploadedFile("s.csv", data)})
    text = page.content.decode()
    assert "import-errors" in text and "基金支付不能大于医疗总费用" in text
    assert client.get("/finance/settlements/?template=1")["Content-Type"].startswith("application/vnd.openxml")


def test_year_end_statement_prints(client, scenario):
    office = scenario.consortium_office
    by = actions.set_budget_year(office, year=2025, gross_fund="100000000", insured=500_000)
    line(office, month=dt.date(2025, 5, 1), code="H001", fund_paid="70000000", total_cost="90000000")
    actions.settle_year(office, by, on=dt.date(2026, 1, 3))
    client.force_login(office)
    text = client.get("/finance/budget/2025/statement/").content.decode()
    assert "1500000.00" in text and "750000.00" in text and "250000.00" in text


def test_work_points_page_and_xlsx(client, scenario):
    from openpyxl import load_workbook

    sheet = actions.compute_point_sheet(scenario.institution_admin_t1, institution=scenario.centre_1,
                                        month=dt.date(2026, 11, 1))
    client.force_login(scenario.institution_admin_t1)
    assert client.get(f"/finance/workpoints/{sheet.pk}/").status_code == 200
    asked = client.get(f"/finance/workpoints/{sheet.pk}/?export=xlsx")  # pay data: a purpose first
    assert asked.status_code == 200 and "text/html" in asked["Content-Type"]
    response = client.get(f"/finance/workpoints/{sheet.pk}/?export=xlsx&purpose=月度绩效发放")
    book = load_workbook(io.BytesIO(response.content))
    assert book.active["A1"].value == "机构"
    # watermarked with who exported it, and logged as an export of this kind
    assert book.properties.creator == scenario.institution_admin_t1.username
    assert book.properties.keywords.startswith("export:finance.WorkPointSheet")
    client.force_login(scenario.other_township_doctor)
    assert client.get(f"/finance/workpoints/{sheet.pk}/").status_code in (403, 404)


def test_expense_recorded_and_approved_through_the_pages(client, scenario):
    client.force_login(scenario.institution_admin_t1)
    page = client.post("/finance/expenses/", {"institution": scenario.centre_1.pk, "spent_on": "2026-11-02",
                                              "category": "设备", "description": "彩超维修", "amount": "12000"})
    e = Expense.objects.get()
    assert page.status_code == 302 and e.status == ExpenseStatus.PENDING
    client.force_login(scenario.consortium_office)
    assert "彩超维修" in client.get("/finance/expenses/").content.decode()
    client.post(f"/finance/expenses/{e.pk}/approve/", {"note": "同意"})
    e.refresh_from_db()
    assert e.status == ExpenseStatus.APPROVED
