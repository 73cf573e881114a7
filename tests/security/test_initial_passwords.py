"""Initial passwords (issue 16): an account an administrator creates, or whose password an administrator
resets, must change it at first login; the demo county's accounts keep the shared password only while
YIGONGTI_DEMO=1 (as `make demo` runs)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.scenario import login_through_pages
from yigongti.audit.models import AuditEntry
from yigongti.demo.accounts import DEMO_PASSWORD
from yigongti.demo.registry import DemoContext
from yigongti.org import actions
from yigongti.org.demo import build_structure
from yigongti.org.models import Role, User

NEW = "Initial-pass-2031"


def test_staff_created_by_an_administrator_must_change_the_password(scenario, client):
    user = actions.create_staff(scenario.institution_admin_t1, institution=scenario.clinic_a, username="vd-new",
                                full_name="新村医", password=NEW, roles=[Role.VILLAGE_DOCTOR])
    assert user.must_change_password and not user.is_demo
    assert login_through_pages(client, "vd-new", NEW).status_code == 302
    response = client.get("/people/")
    assert response.status_code == 302 and response.url == "/accounts/password/"
    api = client.get("/api/me/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "password_change_required"


def test_an_administrators_reset_forces_a_change_and_ends_the_sessions(scenario):
    target = scenario.village_doctor_a
    other = Client()
    assert other.post("/accounts/login/", {"username": target.username, "password": scenario.password}).status_code == 302
    assert other.get("/people/").status_code == 200
    actions.reset_password(scenario.institution_admin_t1, target, password=NEW)
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(NEW)
    assert other.get("/people/").status_code == 302  # the old session is gone
    entry = AuditEntry.objects.filter(object_type="org.User", object_id=str(target.pk)).latest("id")
    assert NEW not in str(entry.changes)


def test_nobody_resets_their_own_or_a_stronger_accounts_password(scenario):
    with pytest.raises(PermissionDenied):
        actions.reset_password(scenario.institution_admin_t1, scenario.institution_admin_t1, password=NEW)
    with pytest.raises(PermissionDenied):  # another township's staff
        actions.reset_password(scenario.institution_admin_t1, scenario.other_township_doctor, password=NEW)
    with pytest.raises(PermissionDenied):  # an institution admin cannot reset an office account
        actions.reset_password(scenario.institution_admin_t1, scenario.consortium_office, password=NEW)


def test_a_fresh_demo_account_logs_in_only_in_demo_mode(db, settings):
    build_structure(DemoContext(scale="tiny", seed=1, log=lambda line: None))
    demo = User.objects.get(username="demo-village-a")
    assert demo.is_demo and demo.must_change_password
    for demo_mode, expected in ((True, 200), (False, 302)):
        settings.YIGONGTI_DEMO = demo_mode
        client = Client()
        assert login_through_pages(client, "demo-village-a", DEMO_PASSWORD).status_code == 302
        assert client.get("/people/").status_code == expected
    settings.YIGONGTI_DEMO = True
    client = Client()  # an office role: password, then the 2FA setup, then in
    response = login_through_pages(client, "demo-office", DEMO_PASSWORD)
    assert response.status_code == 200 and "恢复码" in response.content.decode()  # shown once after setup
    assert client.get("/").status_code == 200



def test_a_password_set_in_the_django_admin_is_an_initial_one(scenario, client):
    admin = User.objects.create_superuser("root-admin", password="Root-admin-pass-2031")
    client.force_login(admin)
    target = scenario.village_doctor_b
    response = client.post(f"/admin/org/user/{target.pk}/password/",
                           {"password1": NEW, "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:500]
    target.refresh_from_db()
    assert target.check_password(NEW) and target.must_change_password
    response = client.post("/admin/org/user/add/", {"username": "added-in-admin", "password1": NEW,
                                                    "password2": NEW, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert User.objects.get(username="added-in-admin").must_change_password
