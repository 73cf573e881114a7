"""Browser: a village doctor finds a resident by pinyin initials and by the phone's last four digits (live
search, HTMX), and opens the record."""
import datetime as dt
import random

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_village_doctor_finds_a_resident_and_opens_the_record(page):
    from yigongti.people import actions
    from yigongti.people.models import Icd10Code
    from yigongti.rules import idcard

    s = build_scenario()
    Icd10Code.objects.create(code="I10.x00", name="原发性高血压")
    rng = random.Random(5)
    luo = actions.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="罗福英",
                                    id_number=idcard.synthetic_id(rng, dt.date(1948, 3, 2), "2"),
                                    phone="13812345678", address="桃源村3组12号")
    actions.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="王建国",
                              id_number=idcard.synthetic_id(rng, dt.date(1965, 7, 1), "1"), phone="13900009999")
    actions.record_encounter(s.village_doctor_a, institution=s.clinic_a, resident=luo, kind="outpatient",
                             visit_date=dt.date(2025, 3, 1), primary_diagnosis="I10.x00", total_cost="86.50",
                             drug_cost="52.00", medical_service_income="20", systolic=152, diastolic=94)
    actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=luo, exam_date=dt.date(2025, 4, 2),
                        height=160, weight=64, systolic_left=148, diastolic_left=92)

    login(page, "village-doctor-a", s.password)
    page.goto("/people/")
    search = page.locator("input[name=q]")
    search.fill("lfy")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "罗福英" in page.locator("#results").inner_text()
    assert "138****5678" in page.locator("#results").inner_text()
    screenshot(page, "people-search-initials")

    search.fill("9999")
    expect(page.locator("#results")).to_contain_text("王建国")
    assert "罗福英" not in page.locator("#results").inner_text()

    search.fill("5678")
    expect(page.locator("#results")).to_contain_text("罗福英")
    page.locator("#results a", has_text="罗福英").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().startswith("罗福英")
    body = page.locator("main").inner_text()
    assert "原发性高血压" in body and "健康体检" in body and "65岁及以上老年人" in body
    shot = screenshot(page, "people-record-desktop")
    assert shot.stat().st_size > 10_000
    page.set_viewport_size(PHONE)
    screenshot(page, "people-record-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"/people/{luo.pk}/edit/")
    page.get_by_label("肢体残疾").check()
    screenshot(page, "people-edit-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("肢体残疾")
    assert page.console_errors == []
