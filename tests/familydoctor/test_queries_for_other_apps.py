"""The functions other apps call: team residents, team of residents, the "team" to-do group and the care
relationship (a county specialist of the team sees its contracted residents)."""
from yigongti.familydoctor import queries
from yigongti.people.queries import visible_residents
from yigongti.tasks.actions import create_task
from yigongti.tasks.queries import tasks_for

from .conftest import register, sign


def test_team_lookups(scenario, team):
    r, other = register(scenario, name="签约甲"), register(scenario, name="未签乙")
    sign(scenario, team, r)
    assert list(queries.team_resident_ids(team.pk)) == [r.pk]
    assert queries.team_for_residents([r.pk, other.pk]) == {
        r.pk: {"team_id": team.pk, "team_name": team.name, "doctor_id": scenario.township_doctor.pk}}
    assert queries.inbox_group_for_resident(r.pk) == ("team", team.pk)
    assert queries.inbox_group_for_resident(other.pk) is None
    assert list(queries.teams_of_user(scenario.county_specialist)) == [team]
    assert not queries.teams_of_user(scenario.village_doctor_c).exists()


def test_a_task_for_the_team_reaches_its_members_only(scenario, team):
    r = register(scenario)
    sign(scenario, team, r)
    task = create_task(title="请随访", group=queries.inbox_group_for_resident(r.pk))
    assert task in tasks_for(scenario.county_specialist)
    assert task in tasks_for(scenario.village_doctor_a)
    assert task not in tasks_for(scenario.village_doctor_c)


def test_team_members_see_their_contracted_residents(scenario, team):
    r = register(scenario)
    assert not visible_residents(scenario.county_specialist).filter(pk=r.pk).exists()
    sign(scenario, team, r)
    assert visible_residents(scenario.county_specialist).filter(pk=r.pk).exists()
    assert not visible_residents(scenario.village_doctor_c).filter(pk=r.pk).exists()
