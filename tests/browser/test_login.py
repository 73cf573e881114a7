"""A first browser test: log in, look at the landing page at desktop and phone width."""
import pytest

from tests.browser.fixtures import PHONE, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_sees_the_frame(page, django_user_model):
    django_user_model.objects.create_user("browser-user", password="Browser-pass-2026", full_name="浏览器测试")
    login(page, "browser-user", "Browser-pass-2026")
    assert page.locator("h1").first.inner_text() == "工作台"
    assert page.locator(".whoami").inner_text() == "浏览器测试"
    shot = screenshot(page, "login-desktop")
    assert shot.stat().st_size > 10_000
    page.set_viewport_size(PHONE)
    assert page.locator(".nav-toggle").is_visible()
    assert not page.locator("#mainnav").is_visible()
    page.click(".nav-toggle")
    assert page.locator("#mainnav").is_visible()
    phone = screenshot(page, "login-phone")
    assert phone.stat().st_size > 5_000
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "no horizontal scrolling at phone width"
    assert page.console_errors == []  # no CSP violations, no script errors
