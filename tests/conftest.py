"""Shared fixtures. Scenario users (tests/scenario.py) are the named people every suite reuses."""
import pytest

pytest_plugins = ["tests.browser.fixtures", "tests.scenario"]


@pytest.fixture(autouse=True)
def _english_off(settings):
    """Every test starts in the default language (zh-hans) unless it switches."""
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _force_login_is_otp_verified(monkeypatch):
    """``client.force_login(user)`` stands for a completed login, so for a user whose role requires
    two-factor login it also marks the session OTP-verified (with a confirmed TOTP device, made if the
    user has none). Production is unchanged: the real flow is tested in tests/security/."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        otp_verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def otp_verify_session(client, user) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yigongti.web.twofactor import requires_2fa

    fresh = type(user).objects.get(pk=user.pk)
    if not requires_2fa(fresh):
        return
    device = TOTPDevice.objects.filter(user=fresh, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=fresh, name="totp", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
