"""Foundation 3's browser test: a village doctor and the consortium office each see their own navigation
and to-dos, at desktop and phone width."""
import pytest
from django.utils import timezone

from tests.browser.fixtures import PHONE, login, screenshot
from tests.scenario import PASSWORD, build_scenario
from yigongti.org.models import Role
from yigongti.tasks.actions import create_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_sees_its_own_work(page, browser, live_server):
    s = build_scenario()
    now = timezone.now()
    create_task(title="随访桃源村高血压患者", assignee=s.village_doctor_a, due_at=now)
    create_task(title="审核东湖镇人口数", role=Role.CONSORTIUM_OFFICE, institution=s.county_hospital, due_at=now)
    create_task(title="柳林村体检", assignee=s.village_doctor_b, due_at=now)

    login(page, "village-doctor-a", PASSWORD)
    body = page.locator("main").inner_text()
    assert "随访桃源村高血压患者" in body
    assert "审核东湖镇人口数" not in body and "柳林村体检" not in body
    nav = page.locator("#mainnav").inner_text()
    assert "待办" in nav and "人口数" not in nav and "审计日志" not in nav
    screenshot(page, "scope-village-doctor")
    page.set_viewport_size(PHONE)
    screenshot(page, "scope-village-doctor-phone")

    office = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN", base_url=live_server.url)
    other = office.new_page()
    login(other, "consortium-office", PASSWORD)
    body = other.locator("main").inner_text()
    assert "审核东湖镇人口数" in body and "随访桃源村高血压患者" not in body
    assert "人口数" in other.locator("#mainnav").inner_text()
    screenshot(other, "scope-consortium-office-todo")
    other.click("text=完成")
    other.wait_for_load_state("networkidle")
    assert "已完成：审核东湖镇人口数" in other.locator(".messages").inner_text()
    assert "审核东湖镇人口数" not in other.locator(".landing-section").first.inner_text()
    screenshot(other, "scope-consortium-office-done")
    office.close()
