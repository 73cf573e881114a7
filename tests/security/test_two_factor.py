"""Two-factor login (issue 16): required roles reach only the 2FA pages until verified; others may opt in."""
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.scenario import totp_code
from yigongti.org.models import LoginEvent


def _password_login(client, user, password):
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302
    return response


def test_office_user_is_held_at_verify_until_the_code(scenario, client):
    _password_login(client, scenario.consortium_office, scenario.password)
    for path in ("/", "/people/", "/org/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/2fa/verify/"), path
    assert client.get("/api/v1/").status_code == 403
    response = client.post("/accounts/2fa/verify/?next=/org/", {"token": "000000", "next": "/org/"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    response = client.post("/accounts/2fa/verify/", {"token": totp_code("consortium-office"), "next": "/org/"})
    assert response.status_code == 302 and response.url == "/org/"
    assert client.get("/").status_code == 200
    kinds = list(LoginEvent.objects.filter(user=scenario.consortium_office).values_list("kind", flat=True))
    assert {"login", "otp_failed", "otp_ok"} <= set(kinds)


def test_admin_without_device_must_set_one_up_and_gets_recovery_codes(scenario, client):
    TOTPDevice.objects.filter(user=scenario.security_admin).delete()
    _password_login(client, scenario.security_admin, scenario.password)
    response = client.get("/")
    assert response.url.startswith("/accounts/2fa/setup/")
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0][-50:]
    response = client.post("/accounts/2fa/setup/", {"token": totp_code("security-admin", confirmed=False), "next": "/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    assert client.get("/").status_code == 200
    # a recovery code works once, in a new session
    client.logout()
    _password_login(client, scenario.security_admin, scenario.password)
    assert client.post("/accounts/2fa/verify/", {"token": codes[0], "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200
    client.logout()
    _password_login(client, scenario.security_admin, scenario.password)
    assert client.post("/accounts/2fa/verify/", {"token": codes[0], "next": "/"}).status_code == 200
    assert StaticToken.objects.filter(device__user=scenario.security_admin).count() == 9


def test_village_doctor_needs_no_second_factor_but_may_add_one(scenario, client):
    _password_login(client, scenario.village_doctor_a, scenario.password)
    assert client.get("/").status_code == 200
    assert client.get("/accounts/2fa/setup/").status_code == 200
    response = client.post("/accounts/2fa/setup/", {"token": totp_code("village-doctor-a", confirmed=False)})
    assert response.status_code == 200
    client.logout()
    _password_login(client, scenario.village_doctor_a, scenario.password)
    assert client.get("/").url.startswith("/accounts/2fa/verify/")  # opted in: asked like the others
    client.post("/accounts/2fa/verify/", {"token": totp_code("village-doctor-a"), "next": "/"})
    assert client.post("/accounts/2fa/disable/").status_code == 302
    assert not TOTPDevice.objects.filter(user=scenario.village_doctor_a).exists()


def test_required_role_cannot_switch_2fa_off(scenario, client):
    client.force_login(scenario.system_admin)
    client.post("/accounts/2fa/disable/")
    assert TOTPDevice.objects.filter(user=scenario.system_admin, confirmed=True).exists()


def test_verify_next_never_leaves_the_site(scenario, client):
    _password_login(client, scenario.health_bureau, scenario.password)
    response = client.post("/accounts/2fa/verify/", {"token": totp_code("health-bureau"),
                                                     "next": "https://evil.example/"})
    assert response.url == "/"


def test_api_token_is_a_separate_credential(scenario, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=scenario.consortium_office)
    response = client.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code != 403 or b"otp_required" not in response.content
