"""Shared fixtures. Scenario users (tests/scenario.py) are the named people every suite reuses."""
import pytest

pytest_plugins = ["tests.browser.fixtures", "tests.scenario"]


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Every test starts in the default language (zh-hans) unless it switches."""
    settings.LANGUAGE_CODE = "zh-hans"
