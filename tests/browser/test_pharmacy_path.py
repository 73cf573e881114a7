"""Browser: clinic A's cabinet runs low; the village doctor requests stock, the township centre sends it by
batch, the village doctor writes a 12-week long prescription on a chronic patient's visit (13 weeks refused on
the page) and dispenses it across two batches. The prescription on a phone (390 px) is screenshotted."""
import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.pharmacy import helpers as h
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_replenish_prescribe_and_dispense_in_the_browser(page):
    from yigongti.pharmacy import actions
    from yigongti.pharmacy.models import Prescription

    s = build_scenario()
    d = h.drug(s, price="0.80")
    actions.set_stock_item(s.consortium_office, s.clinic_a, d, in_cabinet=True, price="0.80", min_quantity=20)
    h.stock(s, s.clinic_a, d, 5, batch_no="V-OLD", days=60)
    h.stock(s, s.centre_1, d, 100, batch_no="T-2026A", days=400)
    enc = h.encounter(s, resident=h.patient(s, name="罗福英"))

    login(page, "village-doctor-a", s.password)
    page.goto("/pharmacy/")
    expect(page.locator("#low-stock")).to_contain_text("苯磺酸氨氯地平片")
    page.goto("/pharmacy/replenishments/")
    page.select_option("select[name=drug_0]", str(d.pk))
    page.fill("input[name=quantity_0]", "10")
    page.click("#replenish-form button[type=submit]")
    expect(page.locator("#request-lines")).to_contain_text("苯磺酸氨氯地平片")
    request_url = page.url

    page.context.clear_cookies()
    login(page, "township-doctor", s.password)
    page.goto(request_url)
    page.click("#fulfil-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("已按批次配送")

    page.context.clear_cookies()
    login(page, "village-doctor-a", s.password)
    page.goto(f"/pharmacy/prescriptions/new/?encounter={enc.pk}")
    page.check("input[name=long_term]")
    page.fill("input[name=days]", "91")
    page.select_option("select[name=drug_0]", str(d.pk))
    page.fill("input[name=quantity_0]", "12")
    page.fill("input[name=dosage_0]", "每次1片 每日1次 口服")
    page.click("#rx-form button[type=submit]")
    expect(page.locator("#rx-form")).to_contain_text("长期处方最长不超过12周")
    page.fill("input[name=days]", "84")
    page.click("#rx-form button[type=submit]")
    expect(page.locator("#rx-status")).to_have_text("已开具")
    page.click("#dispense")
    expect(page.locator("#rx-status")).to_have_text("已发药")
    rx = Prescription.objects.get()
    assert str(rx.amount) == "9.60"
    screenshot(page, "pharmacy-prescription-phone", width=PHONE["width"], height=PHONE["height"])
    page.goto(f"/pharmacy/stock/{s.clinic_a.pk}/moves/")
    expect(page.locator("#moves")).to_contain_text("处方发药")
    screenshot(page, "pharmacy-moves-phone", width=PHONE["width"], height=PHONE["height"])
    assert not page.console_errors
