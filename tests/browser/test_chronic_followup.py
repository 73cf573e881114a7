"""Browser at phone size: a village doctor opens today's list, picks the patient, types BP 185/115, is told before
saving that it is an urgent referral, saves; the to-do and the 2-week follow-up exist. Screenshots of the form
and of the saved record are taken and looked at."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.chronic import helpers
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_doctor_records_185_115_on_a_phone(page):
    from django.utils import timezone

    from yigongti.chronic.models import Enrolment, Visit
    from yigongti.tasks.models import Task

    s = build_scenario()
    today = timezone.localdate()
    e = helpers.enrolment(s, name="罗福英", enrolled_on=today - dt.timedelta(days=200))
    helpers.followup(s, e, visit_date=today - dt.timedelta(days=100), sbp=138, dbp=86,
                     medications=[{"drug": "氨氯地平", "times": "1", "dose": "5mg"}])
    page.set_viewport_size(PHONE)
    login(page, "village-doctor-a", s.password)
    page.goto("/chronic/")
    expect(page.locator("#due-list")).to_contain_text("罗福英")
    expect(page.locator("#due-list")).to_contain_text("逾期")
    screenshot(page, "chronic-due-list-phone")
    page.locator("#due-list a", has_text="罗福英").first.click()
    expect(page.locator("input[name=med_drug_0]")).to_have_value("氨氯地平")   # prefilled from the last visit
    page.fill("input[name=systolic]", "185")
    page.fill("input[name=diastolic]", "115")
    page.locator("input[name=heart_rate]").focus()
    expect(page.locator("#decision")).to_contain_text("紧急转诊")
    screenshot(page, "chronic-followup-phone-urgent")
    page.click("form#fu-form button[type=submit]")
    expect(page.locator(".decision.urgent")).to_contain_text("紧急转诊")
    expect(page.locator("h1.form-title")).to_have_text("高血压患者随访服务记录表")
    screenshot(page, "chronic-followup-record-phone")
    visit = Visit.objects.get(visit_date=today)
    assert visit.referral == "urgent" and visit.next_due == today + dt.timedelta(days=14)
    assert Task.objects.filter(assignee=s.village_doctor_a, kind="chronic_referral_urgent").count() == 1
    assert Enrolment.objects.get(pk=e.pk).next_due == today + dt.timedelta(days=14)
    assert not page.console_errors, page.console_errors
