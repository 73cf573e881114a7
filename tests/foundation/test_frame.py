"""UI frame, settings and API base."""
import re

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("frame-user", password="Frame-pass-2026", full_name="测试用户")


def test_healthz_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_login_page_is_chinese_with_a_nonce_csp(client, db):
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录医共体信息平台" in body and 'lang="zh-CN"' in body
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts and all(f'nonce="{nonce}"' in s and "src=" in s for s in scripts)
    assert not re.search(r"\son[a-z]+=", body), "inline event handlers are forbidden by the CSP"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_english_switch_works(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    body = response.content.decode()
    assert "Log in to the consortium platform" in body and 'lang="en"' in body


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_login_then_home(client, user):
    response = client.post("/accounts/login/", {"username": "frame-user", "password": "Frame-pass-2026"})
    assert response.status_code == 302
    assert "工作台" in client.get("/").content.decode()


def test_repeated_failures_lock_the_account(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "frame-user", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "frame-user", "password": "Frame-pass-2026"})
    assert response.status_code == 429 and "锁定" in response.content.decode()


def test_api_root_me_and_schema(client, user):
    token = Token.objects.create(user=user)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/", **auth).status_code == 200
    me = client.get("/api/v1/me/", **auth).json()
    assert me["username"] == "frame-user" and me["memberships"] == []
    schema = client.get("/api/v1/schema/?format=json", **auth)
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")


def test_api_errors_have_one_shape_in_the_request_language(client, db):
    response = client.get("/api/v1/me/")
    body = response.json()
    assert response.status_code in (401, 403)
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert "身份认证" in body["error"]["message"]
    english = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "credentials" in english["error"]["message"].lower()


def test_token_command_prints_a_working_token(user, capsys, client):
    call_command("token", "frame-user")
    key = capsys.readouterr().out.strip()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").json()["username"] == "frame-user"


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
