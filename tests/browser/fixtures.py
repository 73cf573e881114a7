"""Browser tests: Debian's Chromium driven by Playwright for Python (never a downloaded browser).

Without /usr/bin/chromium (or not as root, so it could not be installed) the browser tests skip with a
clear message — except under CI=true, where they must run and a missing browser fails the run.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("YIGONGTI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
ARTIFACTS = Path(os.environ.get("YIGONGTI_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        how = "run `make browser-deps` as root (apt-get install chromium fonts-noto-cjk)"
        if os.geteuid() != 0:
            how = "not root, so Debian's chromium could not be installed; " + how
        return f"browser tests need Debian's Chromium at {CHROMIUM}: {how}"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: browser tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are still
    # synchronous and run between browser steps, so Django's async guard is lifted for browser tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Reference rows that data migrations write (default packages, deductibles, the diagnostics catalogue). Browser
# tests run on a transactional database that is flushed after each test, so a later test would find them gone:
# each page re-runs those migrations' own forwards functions (idempotent get_or_create) instead of copying them.
REFERENCE_DATA_MIGRATIONS = [
    "yigongti.familydoctor.migrations.0002_default_packages",
    "yigongti.referrals.migrations.0002_default_deductibles",
    "yigongti.diagnostics.migrations.0002_catalogue",
]


def restore_reference_data() -> None:
    import importlib

    from django.apps import apps

    for name in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(name).forwards(apps, None)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context at desktop size; ``page.base_url`` is the live server."""
    restore_reference_data()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def screenshot(page, name: str, *, width: int | None = None, height: int | None = None) -> Path:
    """Save a full-page screenshot under test-artifacts/ (optionally at another viewport) and return it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if width:
        page.set_viewport_size({"width": width, "height": height or 844})
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    """Log in through the real pages; for a user with two-factor login, enter the authenticator's
    current code (computed with django-otp's own TOTP for the user's device)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.login-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/" in page.url:
        from tests.scenario import totp_code

        page.fill("input[name=token]", totp_code(username, confirmed="/2fa/verify/" in page.url))
        page.click("form.login-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        if page.locator("ul.recovery-codes").count():
            page.click("a.button.primary")
            page.wait_for_load_state("networkidle")
