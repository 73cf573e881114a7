"""Two-factor login policy (issue 16) on django-otp: TOTP devices and static recovery codes.

Required for the three separated administrators and the oversight roles (org.access ADMINISTRATOR_ROLES,
OVERSIGHT_ROLES) at any institution; optional for everyone else. API tokens (`yigongti token`) are a
separate credential and are not asked for a second factor.
"""
from __future__ import annotations

import secrets

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from yigongti.org.access import ADMINISTRATOR_ROLES, OVERSIGHT_ROLES, user_roles
from yigongti.org.models import Role

REQUIRED_ROLES = ADMINISTRATOR_ROLES | OVERSIGHT_ROLES | {Role.FINANCE_DIRECTOR}  # money approvals: 2FA too
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


def requires_2fa(user) -> bool:
    if not getattr(settings, "YIGONGTI_2FA_REQUIRED", True) or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(user_roles(user) & REQUIRED_ROLES)


def has_2fa(user) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


def pending_totp_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device (made on first visit of the setup page), kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG (no image request, no script: CSP stays strict)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm_totp(user, token: str) -> tuple[list[str], TOTPDevice] | None:
    """Confirm the pending TOTP device with a code; replaces earlier devices and issues recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user), device


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones (each usable once); returns them to show once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(settings.YIGONGTI_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def match(user, token: str):
    """The confirmed device (TOTP first, then a recovery code) that accepts ``token``, or None."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice if len(token) == 6 else StaticDevice):
            found = verify_token(user, device.persistent_id, token)
            if found is not None:
                return found
    return None


def remove_all(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
