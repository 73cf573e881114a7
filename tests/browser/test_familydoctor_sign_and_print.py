"""Browser at phone size: the team leader opens the household's sign page, signs the two consenting members,
opens the contract, prints its contact card with a QR code; the printed page (A4, print media) is screenshot
and looked at."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE, login, screenshot
from tests.scenario import build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_leader_signs_a_household_and_prints_the_card(page):
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.defaults import ensure_default_packages
    from yigongti.familydoctor.models import Contract
    from yigongti.people import actions as people

    s = build_scenario()
    ensure_default_packages()  # a transactional test database has no data-migration rows
    team = actions.create_team(None, institution=s.centre_1, name="东湖1团队", leader=s.township_doctor,
                               areas=[s.village_a, s.village_b])
    actions.add_member(None, team, user=s.county_specialist, institution=s.county_hospital, role="county_specialist")
    head = people.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="罗福英",
                                    sex="2", birth_date=dt.date(1950, 3, 2), document_type="none", force=True)
    child = people.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="罗小宝",
                                     sex="1", birth_date=dt.date(2022, 5, 5), document_type="none", force=True)
    h = people.create_household(s.village_doctor_a, head)
    people.join_household(s.village_doctor_a, child, h, "grandchild")

    page.set_viewport_size(PHONE)
    login(page, "township-doctor", s.password)
    page.goto(f"/familydoctor/teams/{team.pk}/sign/?resident={head.pk}")
    page.check(f"input[name=consent_{child.pk}]")
    page.fill(f"input[name=consent_by_{child.pk}]", "罗福英")
    page.fill(f"input[name=relation_{child.pk}]", "监护人")
    screenshot(page, "familydoctor-sign-phone")
    page.click("form.card button[type=submit]")
    assert not page.locator(".msg-error").count(), page.locator(".messages").inner_text()
    expect(page.locator("h1")).to_contain_text("罗福英")
    assert Contract.objects.filter(resident__in=[head, child], status="active").count() == 2
    screenshot(page, "familydoctor-contract-phone")
    page.click("text=打印联系卡和协议")
    page.click("text=生成二维码（旧二维码作废）")
    expect(page.locator(".fd-qr svg")).to_be_visible()
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    screenshot(page, "familydoctor-card-print")
    expect(page.locator(".fd-card")).to_contain_text("吴专家")
