"""Issue 17 "Done when", in the browser at phone size: the village doctor's list mixes a hypertension
follow-up, a 6-month child check and an older person's annual visit; each is recorded on the same phone page."""
import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.chronic.test_programmes_one_day import day
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_day_three_programmes_on_a_phone(page):
    from yigongti.chronic.models import Visit
    from yigongti.people.models import HealthExam

    s = build_scenario()
    ht, child, older = day(s)
    page.set_viewport_size(PHONE)
    login(page, "village-doctor-a", s.password)
    page.goto("/chronic/?scope=mine&bucket=todo")
    for e in (ht, child, older):
        expect(page.locator(f"#due-list a[href='/chronic/enrolments/{e.pk}/followup/']").first).to_be_visible()
    screenshot(page, "programmes-one-day-list-phone")

    page.locator(f"#due-list a[href='/chronic/enrolments/{ht.pk}/followup/']").first.click()
    page.fill("input[name=systolic]", "134")
    page.fill("input[name=diastolic]", "82")
    page.click("form#fu-form button[type=submit]")
    expect(page.locator("h1.form-title")).to_have_text("高血压患者随访服务记录表")

    page.goto("/chronic/?scope=mine&bucket=todo")
    page.locator(f"#due-list a[href='/chronic/enrolments/{child.pk}/followup/']").first.click()
    page.fill("input[name=details-weight_kg]", "7.8")
    page.fill("input[name=details-height_cm]", "67.0")
    expect(page.locator("#decision")).to_contain_text("6月龄")
    screenshot(page, "programmes-child-check-phone")
    page.click("form#fu-form button[type=submit]")
    expect(page.locator("h1.form-title")).to_have_text("儿童健康检查记录表")

    page.goto("/chronic/?scope=mine&bucket=todo")
    page.locator(f"#due-list a[href='/chronic/enrolments/{older.pk}/followup/']").first.click()
    page.fill("input[name=systolic]", "128")
    page.fill("input[name=diastolic]", "76")
    page.fill("input[name=details-self_care_score]", "2")
    page.select_option("select[name=details-constitution]", "qi_deficiency")
    expect(page.locator("#decision")).to_contain_text("可自理")
    screenshot(page, "programmes-older-visit-phone")
    page.click("form#fu-form button[type=submit]")
    expect(page.locator("h1.form-title")).to_have_text("老年人健康管理服务记录（健康体检表）")
    screenshot(page, "programmes-older-record-phone")

    assert {v.programme for v in Visit.objects.all()} == {"hypertension", "child", "older"}
    assert HealthExam.objects.filter(resident=older.resident, self_care_score=2).exists()
    assert not page.console_errors, page.console_errors
