"""Browser: the consortium office sets the year with the digest's worked example, imports settlements (one bad
row reported, the good ones kept), sees the in-county share and the burn-down chart; an institution's large
expense is approved online. The budget page is screenshotted."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import login, screenshot
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = ("结算月份,险种,类别,县域内,定点机构编码,定点机构名称,结算人次,结算人数,医疗总费用,基金支付\n"
       "2026-01,居民,住院,是,H001,,800,760,9000000,6300000\n"
       "2026-02,居民,住院,是,T001,,300,290,1200000,900000\n"
       "2026-02,居民,住院,否,X001,省人民医院,40,40,1500000,900000\n"
       "2026-02,居民,住院,是,H001,,1,1,100,500\n")


def test_the_budget_year_in_the_browser(page, tmp_path):
    from yigongti.finance import actions

    s = build_scenario()
    login(page, "consortium-office", s.password)
    page.goto("/finance/budget/")
    page.fill("input[name=year]", "2026")
    page.fill("input[name=gross_fund]", "100000000")
    page.fill("input[name=insured]", "500000")
    page.click("#budget-form button[type=submit]")
    expect(page.locator("#deductions")).to_contain_text("12500000.00")
    expect(page.locator("#paid")).to_contain_text("72500000.00")
    upload = tmp_path / "settlements.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.goto("/finance/settlements/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-errors")).to_contain_text("基金支付不能大于医疗总费用")
    page.goto("/finance/budget/2026/")
    expect(page.locator("#in-county-share")).to_contain_text("88.9")
    expect(page.locator("[data-chart=chart-burn] svg")).to_be_visible()
    screenshot(page, "finance-budget-year")

    e = actions.record_expense(s.institution_admin_t1, institution=s.centre_1, spent_on=dt.date(2026, 11, 2),
                               category="设备", description="彩超探头", amount="16000")
    page.goto(f"/finance/expenses/{e.pk}/")
    page.fill("input[name=note]", "同意")
    page.click("#approve")
    expect(page.locator("#expense-status")).to_have_text("已批准")
