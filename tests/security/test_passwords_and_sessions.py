"""Passwords and sessions (issue 16): complexity, history, forced change, sign-out of all sessions,
login history and its retention, lockout back-off."""
import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from yigongti.org.models import LoginEvent, PasswordHistory
from yigongti.web import accounts


def test_complexity_needs_three_kinds_of_character(scenario):
    with pytest.raises(ValidationError) as exc:
        validate_password("onlylowercaseletters", scenario.township_doctor)
    assert any("三类" in m for m in exc.value.messages)
    validate_password("Tiger-lily-2031", scenario.township_doctor)


def _change(client, old, new):
    return client.post("/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_last_passwords_may_not_be_reused(scenario, client, settings):
    settings.YIGONGTI_PASSWORD_HISTORY = 2
    client.force_login(scenario.township_doctor)
    assert _change(client, scenario.password, "Second-pass-2031").status_code == 302
    assert _change(client, "Second-pass-2031", "Third-pass-2031").status_code == 302
    response = _change(client, "Third-pass-2031", scenario.password)
    assert response.status_code == 200 and "不能使用最近" in response.content.decode()
    assert _change(client, "Third-pass-2031", "Third-pass-2031").status_code == 200
    assert PasswordHistory.objects.filter(user=scenario.township_doctor).count() == 2


def test_an_initial_password_must_be_changed_first(scenario, client, settings):
    user = scenario.village_doctor_b
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    assert client.get("/people/").url == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    assert _change(client, scenario.password, "Brand-new-2031!").status_code == 302
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password and user.password_changed_at


def test_demo_accounts_skip_the_forced_change_only_in_demo_mode(scenario, client, settings):
    user = scenario.village_doctor_b
    user.must_change_password, user.is_demo = True, True
    user.save(update_fields=["must_change_password", "is_demo"])
    client.force_login(user)
    settings.YIGONGTI_DEMO = False
    assert client.get("/").status_code == 302
    settings.YIGONGTI_DEMO = True
    assert client.get("/").status_code == 200


def test_sign_out_of_all_other_sessions(scenario):
    laptop, phone = Client(), Client()
    for c in (laptop, phone):
        c.post("/accounts/login/", {"username": "township-doctor", "password": scenario.password})
    assert len(accounts.active_sessions(scenario.township_doctor)) == 2
    laptop.post("/accounts/sessions/end/", {"others": "1"})
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    laptop.post("/accounts/sessions/end/")
    assert laptop.get("/").status_code == 302
    assert not Session.objects.filter(session_key__in=[e.session_key for e in LoginEvent.objects.all()]).exists()


def test_each_user_sees_only_their_own_login_history(scenario, client):
    Client().post("/accounts/login/", {"username": "township-doctor", "password": "wrong"})
    client.force_login(scenario.township_doctor)
    body = client.get("/accounts/history/").content.decode()
    assert "密码错误" in body and "登录" in body
    other = Client()
    other.force_login(scenario.village_doctor_a)
    assert "密码错误" not in other.get("/accounts/history/").content.decode()


def test_purge_keeps_at_least_six_months(scenario, settings):
    settings.YIGONGTI_LOGIN_HISTORY_DAYS = 30  # below the floor: 183 days are kept anyway
    now = timezone.now()
    young = accounts.record("login", user=scenario.township_doctor)
    old = accounts.record("login", user=scenario.township_doctor)
    LoginEvent.objects.filter(pk=young.pk).update(at=now - dt.timedelta(days=182))
    LoginEvent.objects.filter(pk=old.pk).update(at=now - dt.timedelta(days=184))
    assert accounts.purge_login_history(now) == 1
    assert LoginEvent.objects.filter(pk=young.pk).exists()


def test_lockout_backs_off(scenario, rf, settings):
    settings.AXES_FAILURE_LIMIT = 5
    request = rf.post("/accounts/login/", {"username": "township-doctor"})
    assert accounts.cool_off(request) == dt.timedelta(minutes=30)
    for _ in range(6):
        accounts.record("failed", user=scenario.township_doctor)
    assert accounts.cool_off(request) == dt.timedelta(minutes=60)
    for _ in range(5):
        accounts.record("failed", user=scenario.township_doctor)
    assert accounts.cool_off(request) == dt.timedelta(minutes=120)


def test_five_wrong_passwords_lock_the_account(scenario, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "township-doctor", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "township-doctor", "password": scenario.password})
    assert response.status_code in (403, 429)
    assert LoginEvent.objects.filter(username="township-doctor", kind="locked").exists()
