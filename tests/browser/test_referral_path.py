"""Browser: a township doctor refers a patient up with results attached in one click; the county desk finds the
form by typing its number, accepts it with a reserved bed, receives the patient and sends the 回转单 back; the
referring doctor finds it in the inbox. The printed form (A4, QR code) and the phone layout are screenshotted."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.referrals import helpers
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_up_and_back_in_the_browser(page):
    from django.utils import timezone

    from yigongti.people import actions as people_actions
    from yigongti.referrals.models import Referral

    s = build_scenario()
    patient = helpers.resident(s, name="罗福英")
    people_actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=patient,
                               exam_date=timezone.localdate() - dt.timedelta(days=20), systolic_left=148,
                               diastolic_left=92, fasting_glucose="6.3")
    people_actions.record_encounter(s.township_doctor, institution=s.centre_1, resident=patient, kind="outpatient",
                                    visit_date=timezone.localdate(), primary_diagnosis="S66.300", total_cost="35")
    helpers.beds(s, 5)

    login(page, "township-doctor", s.password)
    page.goto("/referrals/?patient=罗福英")
    page.locator("a", has_text="开具转诊单").first.click()
    page.select_option("select[name=to_institution]", str(s.county_hospital.pk))
    page.select_option("select[name=referral_type]", "inpatient")
    page.select_option("select[name=reason]", "difficult")
    page.fill("input[name=primary_diagnosis]", "S66.300")
    page.fill("input[name=diagnosis_text]", "门诊诊断：手部指伸肌肌腱损伤 确诊")
    page.fill("textarea[name=condition_summary]", "患者昨日被人打伤致左手中指疼痛不适，活动受限，鱼际肿胀明显。")
    page.fill("textarea[name=treatment_advice]", "建议至上级医院完善相关检查，行进一步诊疗")
    page.check("input[name=consent]")
    page.click("#referral-form button[type=submit]")
    expect(page.locator("#state")).to_have_text("草稿")
    page.click("#attach-results")
    expect(page.locator("#attachments")).to_contain_text("健康体检")
    page.click("#do-submit")
    expect(page.locator("#state")).to_have_text("待接收")
    number = Referral.objects.get().number

    page.context.clear_cookies()
    login(page, "county-specialist", s.password)
    page.goto("/referrals/")
    page.fill("input[name=number]", number)
    page.press("input[name=number]", "Enter")
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("#steps")).to_contain_text("空闲预留床位：5 张")
    page.check("input[name=reserve_bed]")
    page.click("#do-accept")
    expect(page.locator("#state")).to_have_text("已接收")
    expect(page.locator("main")).to_contain_text("预留1")
    screenshot(page, "referral-accepted-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "referral-accepted-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1366, "height": 860})
    page.click("#do-receive")
    expect(page.locator("#state")).to_have_text("已接诊")
    page.fill("#complete-form input[name=return_diagnosis]", "S66.300")
    page.fill("#complete-form input[name=inpatient_number]", "ZY20261123")
    page.fill("#complete-form textarea[name=return_results]", "X线：左手中指未见骨折；B超：指伸肌腱部分断裂")
    page.fill("#complete-form textarea[name=return_treatment]", "肌腱修补术，术后抗感染")
    page.fill("#complete-form textarea[name=return_plan]", "两周后拆线，回乡镇卫生院康复锻炼")
    page.click("#do-complete")
    expect(page.locator("#state")).to_have_text("已回转")

    page.context.clear_cookies()
    login(page, "township-doctor", s.password)
    page.goto("/tasks/")
    expect(page.locator("main")).to_contain_text("转诊结果已回转")
    page.goto(f"/referrals/{Referral.objects.get().pk}/")
    expect(page.locator("#return-slip")).to_contain_text("两周后拆线")
    page.goto(f"/referrals/{Referral.objects.get().pk}/print/")
    expect(page.locator("#sheet svg").first).to_be_visible()
    page.emulate_media(media="print")
    shot = screenshot(page, "referral-print-a4", width=794, height=1123)
    assert shot.stat().st_size > 20_000
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
