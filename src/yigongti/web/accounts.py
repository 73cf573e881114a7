"""Login history, sessions and their retention (issue 16). Written from Django's and axes' auth signals."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from yigongti.org.models import LoginEvent, LoginEventKind


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    ip = request.META.get("REMOTE_ADDR") or None
    return ip, (request.META.get("HTTP_USER_AGENT") or "")[:200]


def record(kind: str, *, request=None, user=None, username: str = "") -> LoginEvent:
    ip, agent = _client(request)
    session = getattr(request, "session", None)
    return LoginEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=(username or getattr(user, "username", "") or "")[:150],
        kind=kind, ip_address=ip, user_agent=agent,
        session_key=(getattr(session, "session_key", None) or "") if kind == LoginEventKind.LOGIN else "",
    )


def on_logged_in(sender, request, user, **kwargs):
    from .middleware import OPTED_IN_KEY
    from .twofactor import has_2fa

    if request is not None and hasattr(request, "session") and has_2fa(user):
        request.session[OPTED_IN_KEY] = True
    record(LoginEventKind.LOGIN, request=request, user=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(LoginEventKind.LOGOUT, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    record(LoginEventKind.FAILED, request=request, user=user, username=username)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username or "").first()
    record(LoginEventKind.LOCKED, request=request, user=user, username=username or "")


def history(user, limit: int = 200):
    return LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit]


def active_sessions(user) -> list[LoginEvent]:
    """The user's logins whose session is still alive (database sessions)."""
    logins = list(LoginEvent.objects.filter(user=user, kind=LoginEventKind.LOGIN).exclude(session_key="")
                  .order_by("-at")[:500])
    alive = set(Session.objects.filter(session_key__in=[e.session_key for e in logins], expire_date__gt=timezone.now())
                .values_list("session_key", flat=True))
    return [e for e in logins if e.session_key in alive]


def end_sessions(user, *, keep: str | None = None) -> int:
    """Sign the user out of every session (but ``keep``). Returns how many were ended."""
    keys = [e.session_key for e in active_sessions(user) if e.session_key != keep]
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    return deleted


def retention_days() -> int:
    return max(183, int(getattr(settings, "YIGONGTI_LOGIN_HISTORY_DAYS", 365)))


def purge_login_history(now: dt.datetime | None = None) -> int:
    """Delete login history older than the retention (never younger than 183 days, 等保: ≥ 6 months)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    deleted, _ = LoginEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def cool_off(request) -> dt.timedelta:
    """Lockout back-off for django-axes: the base cool-off doubles for each earlier lockout of the
    username within 24 hours (30 min, 1 h, 2 h, … at most 24 h)."""
    base = dt.timedelta(minutes=int(getattr(settings, "YIGONGTI_LOCKOUT_MINUTES", 30)))
    username = ""
    if request is not None:
        username = (getattr(request, "POST", {}) or {}).get("username", "") or ""
    if not username:
        return base
    since = timezone.now() - dt.timedelta(hours=24)
    failures = LoginEvent.objects.filter(username=username, kind=LoginEventKind.FAILED, at__gte=since).count()
    limit = max(1, int(getattr(settings, "AXES_FAILURE_LIMIT", 5)))
    earlier = max(0, failures - 1) // limit
    return min(base * (2 ** min(earlier, 6)), dt.timedelta(hours=24))
