"""Browser, the Done-when path of issue 13: a family doctor books a contracted resident into a county
specialist's session at the township from its timetable page; the specialist sees the booking and opens the
resident's record. The printable timetable is screenshotted."""
import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import login, screenshot
from tests.experts import helpers
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_doctor_books_and_the_specialist_sees_the_record(page):
    s = build_scenario()
    for weekday, clinic, specialty in ((0, "康复科门诊", "康复医学科"), (1, "慢病门诊", "内分泌科"),
                                       (3, "内、儿科门诊", "呼吸内科")):
        helpers.entry(s, weekday=weekday, clinic=clinic, specialty=specialty)
    session = helpers.session(s, capacity=6, reserved=2)
    patient = helpers.contracted(s, name="罗福英")

    login(page, "village-doctor-a", s.password)
    page.goto(f"/experts/timetable/{s.centre_1.pk}/")
    expect(page.locator("#timetable")).to_contain_text("骨科")
    screenshot(page, "experts-timetable")
    page.goto(f"/experts/timetable/{s.centre_1.pk}/?print=1")
    page.emulate_media(media="print")
    screenshot(page, "experts-timetable-print")
    page.emulate_media(media="screen")
    page.goto(f"/experts/timetable/{s.centre_1.pk}/")
    page.locator("#sessions a", has_text="预约").first.click()
    page.fill("#q", "罗福英")
    page.press("#q", "Enter")
    expect(page.locator("#found")).to_contain_text("我的签约居民")
    page.locator(f"#found button[data-resident='{patient.pk}']").click()
    expect(page.locator(".messages")).to_contain_text("已为 罗福英 预约 1 号")

    page.context.clear_cookies()
    login(page, "county-specialist", s.password)
    page.goto("/experts/")
    page.locator("#my-sessions a").first.click()
    expect(page.locator("#bookings")).to_contain_text("罗福英")
    expect(page.locator("#bookings")).to_contain_text("家庭医生预约")
    screenshot(page, "experts-session")
    page.locator("#bookings a", has_text="罗福英").click()
    expect(page.locator("h1")).to_contain_text("罗福英")
    assert session.pk
