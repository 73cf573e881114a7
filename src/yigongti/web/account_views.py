"""Account pages (issue 16): 2FA setup and verify, recovery codes, password change, sessions, login history."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from yigongti.org.models import LoginEventKind

from . import accounts, twofactor
from .passwords import remember_password


class TokenForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("验证码"), max_length=12,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/"
    return target


@login_required
def otp_setup(request):
    """Bind an authenticator app: QR code of the otpauth URI, then confirm with a first code."""
    user = request.user
    if twofactor.has_2fa(user) and not user.is_verified():
        return redirect("otp_verify")  # replacing a device needs the current one first
    device = twofactor.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.confirm_totp(user, form.cleaned_data["token"])
        if result is None:
            form.add_error("token", _("验证码不正确或已过期，请重试。"))
            accounts.record(LoginEventKind.OTP_FAILED, request=request, user=user)
        else:
            codes, confirmed = result
            otp_login(request, confirmed)
            accounts.record(LoginEventKind.OTP_OK, request=request, user=user)
            return render(request, "web/account/recovery_codes.html", {"codes": codes, "next": _next(request)})
    return render(request, "web/account/otp_setup.html", {
        "form": form, "qr_svg": twofactor.qr_svg(device), "secret": twofactor.base32_secret(device),
        "required": twofactor.requires_2fa(user), "next": _next(request),
    })


@login_required
def otp_verify(request):
    """Second step of login: a code from the authenticator app or one recovery code."""
    user = request.user
    if not twofactor.has_2fa(user):
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.match(user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", _("验证码不正确或已过期，请重试。"))
            accounts.record(LoginEventKind.OTP_FAILED, request=request, user=user)
        else:
            otp_login(request, device)
            accounts.record(LoginEventKind.OTP_OK, request=request, user=user)
            if device.name == twofactor.RECOVERY_NAME:
                messages.warning(request, _("已使用一个恢复码，剩余 %(n)d 个。") % {"n": twofactor.recovery_codes_left(user)})
            return redirect(_next(request))
    return render(request, "web/account/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def recovery_codes(request):
    if not request.user.is_verified():
        return redirect("otp_verify")
    codes = twofactor.new_recovery_codes(request.user)
    return render(request, "web/account/recovery_codes.html", {"codes": codes, "next": "/accounts/security/"})


@login_required
@require_POST
def otp_disable(request):
    """Remove two-factor login — only for users whose role does not require it, from a verified session."""
    if twofactor.requires_2fa(request.user) or not request.user.is_verified():
        messages.error(request, _("您的角色必须使用二次验证，不能关闭。"))
    else:
        twofactor.remove_all(request.user)
        messages.success(request, _("已关闭二次验证。"))
    return redirect("account_security")


@login_required
def security(request):
    """The user's own security page: 2FA state, active sessions, links to history and password."""
    user = request.user
    return render(request, "web/account/security.html", {
        "has_2fa": twofactor.has_2fa(user), "required": twofactor.requires_2fa(user),
        "codes_left": twofactor.recovery_codes_left(user), "sessions": accounts.active_sessions(user),
        "current_key": request.session.session_key,
    })


@login_required
@require_POST
def sign_out_all(request):
    """End every session of the user; ``others=1`` keeps the current one."""
    keep = request.session.session_key if request.POST.get("others") else None
    ended = accounts.end_sessions(request.user, keep=keep)
    accounts.record(LoginEventKind.SIGNED_OUT_ALL, request=request, user=request.user)
    if keep is None:
        logout(request)
        return redirect("login")
    messages.success(request, _("已退出其他 %(n)d 个会话。") % {"n": ended})
    return redirect("account_security")


@login_required
def login_history(request):
    return render(request, "web/account/login_history.html", {
        "events": accounts.history(request.user), "days": accounts.retention_days(),
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = "/accounts/security/"

    def form_valid(self, form):
        user = form.user
        remember_password(user)
        user.must_change_password = False
        response = super().form_valid(form)
        accounts.record(LoginEventKind.PASSWORD_CHANGED, request=self.request, user=user)
        messages.success(self.request, _("密码已修改。"))
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["forced"] = getattr(self.request.user, "must_change_password", False)
        return ctx
