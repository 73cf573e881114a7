"""Account security gate (issue 16), after django-otp's OTPMiddleware.

A signed-in user whose role requires two-factor login reaches only the 2FA setup/verify pages (and
logout) until the session is OTP-verified; a user whose password is an initial one reaches only the
password page. API token requests are untouched (DRF authenticates them later; the token is its own
credential), a session-authenticated API/FHIR call of an unverified user gets 403.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .twofactor import has_2fa, requires_2fa

OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz", "/i18n/")
API_PREFIXES = ("/api/", "/fhir/")
OPTED_IN_KEY = "yg_2fa_opted_in"  # set at login when a user whose role does not require 2FA has a device


def must_change_password(user) -> bool:
    if not getattr(user, "must_change_password", False):
        return False
    return not (getattr(settings, "YIGONGTI_DEMO", False) and getattr(user, "is_demo", False))


def _api_error(code: str, message) -> JsonResponse:
    return JsonResponse({"error": {"status": 403, "code": code, "message": str(message), "fields": {}}}, status=403)


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            blocked = self._gate(request, user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _gate(self, request, user):
        opted_in = request.session.get(OPTED_IN_KEY, False)
        if (opted_in or requires_2fa(user)) and not user.is_verified():
            if request.path.startswith(API_PREFIXES):
                return _api_error("otp_required", _("需要完成二次验证"))
            target = reverse("otp_verify" if has_2fa(user) else "otp_setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        if must_change_password(user) and request.path != reverse("password_change"):
            if request.path.startswith(API_PREFIXES):
                return _api_error("password_change_required", _("须先修改初始密码"))
            return redirect("password_change")
        return None
