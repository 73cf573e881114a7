"""The inbox: one action creates a to-do, the right people see and complete it."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from yigongti.org.models import Role
from yigongti.tasks import actions
from yigongti.tasks.models import TaskState
from yigongti.tasks.queries import tasks_for


def test_a_task_for_a_user_reaches_only_them(scenario):
    task = actions.create_task(title="随访张某", assignee=scenario.village_doctor_a, source=scenario.village_a)
    assert list(tasks_for(scenario.village_doctor_a)) == [task]
    assert not tasks_for(scenario.village_doctor_b).exists()
    assert task.source_type == "org.Area" and task.source_display == "桃源村"


def test_a_task_for_a_role_at_an_institution(scenario):
    task = actions.create_task(title="审核转诊", role=Role.TOWNSHIP_DOCTOR, institution=scenario.centre_1)
    assert task in tasks_for(scenario.township_doctor)
    assert task in tasks_for(scenario.mental_health_doctor)
    assert task not in tasks_for(scenario.other_township_doctor)  # same role, other institution
    assert task not in tasks_for(scenario.village_doctor_a)


def test_a_task_for_a_group_is_resolved_by_its_owner(scenario):
    from django.contrib.auth import get_user_model

    actions.register_group_resolver("tests.team", lambda gid: get_user_model().objects.filter(
        username__in=["village-doctor-a", "county-specialist"]))
    try:
        task = actions.create_task(title="团队随访", group=("tests.team", 1))
        assert task in tasks_for(scenario.county_specialist) and task in tasks_for(scenario.village_doctor_a)
        assert task not in tasks_for(scenario.village_doctor_b)
    finally:
        actions._resolvers.pop("tests.team")


def test_it_validates_the_addressee(scenario):
    with pytest.raises(ValidationError):
        actions.create_task(title="无人")
    with pytest.raises(ValidationError):
        actions.create_task(title="无机构", role=Role.NURSE)
    with pytest.raises(ValidationError):
        actions.create_task(title="未知群组", group=("nope", 1))


def test_only_an_addressee_completes_it(scenario):
    task = actions.create_task(title="审核", role=Role.TOWNSHIP_DOCTOR, institution=scenario.centre_1)
    with pytest.raises(PermissionDenied):
        actions.complete_task(scenario.other_township_doctor, task)
    actions.complete_task(scenario.township_doctor, task)
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.completed_by == scenario.township_doctor
    with pytest.raises(ValidationError):
        actions.complete_task(scenario.mental_health_doctor, task)


def test_the_landing_page_shows_todays_work(client, scenario):
    now = timezone.now()
    actions.create_task(title="逾期随访王某", assignee=scenario.village_doctor_a, due_at=now - dt.timedelta(days=2))
    actions.create_task(title="今日体检李某", assignee=scenario.village_doctor_a, due_at=now)
    actions.create_task(title="别人的事", assignee=scenario.village_doctor_b, due_at=now)
    client.force_login(scenario.village_doctor_a)
    body = client.get("/").content.decode()
    assert "今日工作" in body and "逾期随访王某" in body and "今日体检李某" in body and "别人的事" not in body
    assert body.index("逾期随访王某") < body.index("今日体检李某")


def test_the_page_and_api_complete_only_mine(client, scenario):
    mine = actions.create_task(title="我的", assignee=scenario.village_doctor_a)
    theirs = actions.create_task(title="别人的", assignee=scenario.village_doctor_b)
    client.force_login(scenario.village_doctor_a)
    assert client.post(f"/tasks/{theirs.pk}/complete/").status_code == 404
    assert client.post(f"/tasks/{mine.pk}/complete/").status_code == 302
    mine.refresh_from_db()
    assert mine.state == TaskState.DONE
    auth = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=scenario.village_doctor_b).key}"}
    listed = client.get("/api/v1/tasks/", **auth).json()
    assert [t["title"] for t in listed["results"]] == ["别人的"]
    assert client.post(f"/api/v1/tasks/{mine.pk}/complete/", **auth).status_code == 404
    done = client.post(f"/api/v1/tasks/{theirs.pk}/complete/", **auth)
    assert done.status_code == 200 and done.json()["state"] == "done"
