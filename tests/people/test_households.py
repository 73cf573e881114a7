"""Households (家庭户): one village, one head; open, join and leave through people.actions, audited."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.people import actions
from yigongti.people.models import Household, Resident

from .conftest import register


def test_a_head_opens_a_household_and_family_members_join(scenario):
    head = register(scenario, name="王建国", sex="1")
    wife = register(scenario, name="李秀兰")
    home = actions.create_household(scenario.village_doctor_a, head)
    assert home.number == "36019910020100001" and home.head_id == head.pk and home.area_id == scenario.village_a.pk
    actions.join_household(scenario.village_doctor_a, wife, home, "spouse", expected_version=wife.version)
    assert set(home.members.values_list("name", "relation_to_head")) == {("王建国", "head"), ("李秀兰", "spouse")}
    second = actions.create_household(scenario.village_doctor_a, register(scenario, name="张三", sex="1"))
    assert second.number == "36019910020100002"
    assert AuditEntry.objects.filter(object_type="people.Household", action="create").count() == 2


def test_a_household_has_one_head_and_one_village(scenario):
    head = register(scenario, name="王建国", sex="1")
    home = actions.create_household(scenario.village_doctor_a, head)
    other = register(scenario, name="王小明", sex="1")
    with pytest.raises(ValidationError) as exc:
        actions.join_household(scenario.village_doctor_a, other, home, "head")
    assert "relation_to_head" in exc.value.message_dict
    in_b = register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b,
                    area=scenario.village_b, name="柳林人")
    with pytest.raises(ValidationError) as exc:
        actions.join_household(scenario.village_doctor_b, in_b, home, "child")
    assert "household" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.join_household(scenario.village_doctor_b, other, home, "child")


def test_leaving_or_moving_village_drops_the_household(scenario):
    head = register(scenario, name="王建国", sex="1")
    home = actions.create_household(scenario.village_doctor_a, head)
    actions.leave_household(scenario.village_doctor_a, head)
    assert Household.objects.get(pk=home.pk).head_id is None
    child = register(scenario, name="王小明", sex="1")
    actions.join_household(scenario.village_doctor_a, child, home, "head")
    assert Household.objects.get(pk=home.pk).head_id == child.pk
    child.refresh_from_db()
    actions.update_resident(scenario.township_doctor, child, child.version, area=scenario.village_b)
    child = Resident.objects.get(pk=child.pk)
    assert child.household_id is None and child.relation_to_head == ""
    assert Household.objects.get(pk=home.pk).head_id is None


def test_the_record_page_opens_and_joins_a_household(scenario, client):
    head = register(scenario, name="王建国", sex="1")
    wife = register(scenario, name="李秀兰")
    client.force_login(scenario.village_doctor_a)
    assert client.post(f"/people/{head.pk}/household/new/").status_code == 302
    number = Household.objects.get().number
    response = client.post(f"/people/{wife.pk}/household/join/", {"number": number, "relation_to_head": "spouse",
                                                                   "version": wife.version})
    assert response.status_code == 302
    html = client.get(f"/people/{head.pk}/").content.decode()
    assert number in html and "李秀兰" in html
    client.post(f"/people/{wife.pk}/household/leave/")
    assert Resident.objects.get(pk=wife.pk).household_id is None
