"""Closed loop: a down-referred patient lands as a to-do for their family-doctor team (or, until the
family-doctor app provides teams, for the doctors of the clinic that looks after them) and is enrolled in the
matching chronic programme when the chronic app offers it; an up-referral's 回转单 returns to the referring
doctor (tests/referrals/test_the_path_up_and_back.py)."""
import sys
import types

import pytest

from yigongti.referrals import actions
from yigongti.referrals.models import Status
from yigongti.tasks import actions as task_actions
from yigongti.tasks.queries import tasks_for

from . import helpers


def _down_tasks(user):
    return [t for t in tasks_for(user) if t.kind == "referral_down"]


def test_a_down_referral_lands_with_the_village_doctor_without_teams(scenario):
    s = scenario
    r = helpers.down_draft(s)
    assert r.direction == "down"
    r = actions.submit_referral(s.county_specialist, r)
    assert [t for t in tasks_for(s.township_doctor) if t.source_id == str(r.pk)]  # centre 1's desk
    r = actions.accept_referral(s.township_doctor, r)
    r = actions.receive_referral(s.township_doctor, r)
    assert r.status == Status.RECEIVED
    assert [t.title for t in _down_tasks(s.village_doctor_a)] and not _down_tasks(s.village_doctor_b)


def test_with_teams_and_programmes_the_team_gets_it_and_the_patient_is_enrolled(scenario, monkeypatch):
    s = scenario
    patient = helpers.resident(s)
    team_members = {7: [s.village_doctor_b.pk]}
    from yigongti.org.models import User

    real_resolver = task_actions._resolvers.get("team")
    task_actions.register_group_resolver("team", lambda team_id: User.objects.filter(pk__in=team_members[team_id]))
    familydoctor = types.ModuleType("yigongti.familydoctor.queries")
    familydoctor.team_for_residents = lambda ids: {patient.pk: 7}
    enrolled = []
    chronic = types.ModuleType("yigongti.chronic.actions")
    chronic.enrol_from_referral = lambda actor, **kw: enrolled.append((actor, kw["programme"], kw["resident"].pk))
    import yigongti.chronic
    import yigongti.familydoctor

    monkeypatch.setitem(sys.modules, "yigongti.familydoctor.queries", familydoctor)
    monkeypatch.setattr(yigongti.familydoctor, "queries", familydoctor, raising=False)
    monkeypatch.setitem(sys.modules, "yigongti.chronic.actions", chronic)
    monkeypatch.setattr(yigongti.chronic, "actions", chronic, raising=False)
    try:
        r = actions.submit_referral(s.county_specialist, helpers.down_draft(s, patient=patient))
        actions.receive_referral(s.township_doctor, actions.accept_referral(s.township_doctor, r))
        assert [t.group_id for t in _down_tasks(s.village_doctor_b)] == [7]
        assert not _down_tasks(s.village_doctor_a)
        assert enrolled == [(s.township_doctor, "hypertension", patient.pk)]
    finally:
        task_actions._resolvers.pop("team", None)
        if real_resolver is not None:  # the family-doctor app's own resolver, for the tests that follow
            task_actions._resolvers["team"] = real_resolver


def test_an_up_referral_does_not_go_to_the_team(scenario):
    s = scenario
    r = actions.receive_referral(s.county_specialist, helpers.accepted(s))
    assert r.direction == "up" and not _down_tasks(s.village_doctor_a)


def test_a_down_referred_hypertensive_is_enrolled_once_in_the_chronic_programme(scenario):
    s = scenario
    chronic = pytest.importorskip("yigongti.chronic.actions")
    chronic_queries = pytest.importorskip("yigongti.chronic.queries")
    if not hasattr(chronic, "enrol") or not hasattr(chronic_queries, "visible_enrolments"):
        pytest.skip("the chronic app has no enrol() / visible_enrolments() yet")
    patient = helpers.resident(s)
    for _ in range(2):  # the second down-referral finds the patient already enrolled
        r = actions.submit_referral(s.county_specialist, helpers.down_draft(s, patient=patient))
        actions.receive_referral(s.township_doctor, actions.accept_referral(s.township_doctor, r))
    enrolled = chronic_queries.visible_enrolments(s.township_doctor).filter(resident_id=patient.pk)
    assert list(enrolled.values_list("programme", flat=True)) == ["hypertension"]
    assert not [t for t in _down_tasks(s.township_doctor) if "纳入慢病管理" in t.title]


def test_a_diagnosis_needing_its_own_forms_becomes_a_to_do(scenario):
    s = scenario
    pytest.importorskip("yigongti.chronic.actions")
    helpers.icd()
    from yigongti.people.models import Icd10Code

    Icd10Code.objects.get_or_create(code="A15.000", defaults={"name": "肺结核"})
    r = actions.submit_referral(s.county_specialist, helpers.down_draft(s, primary_diagnosis="A15.000"))
    actions.receive_referral(s.township_doctor, actions.accept_referral(s.township_doctor, r))
    assert [t for t in _down_tasks(s.township_doctor) if "纳入慢病管理" in t.title]


def test_a_down_referral_of_a_contracted_patient_reaches_the_real_team(scenario):
    """With the family-doctor app: the team of the patient's active contract gets the to-do, its members see
    it (the county specialist of the team too), the village doctor of another village does not."""
    import datetime as dt

    from yigongti.familydoctor import actions as fd
    from yigongti.familydoctor.models import Package

    s = scenario
    patient = helpers.resident(s)
    team = fd.create_team(s.township_doctor, institution=s.centre_1, name="东湖1团队", leader=s.township_doctor,
                          areas=[s.village_a, s.village_b])
    fd.add_member(s.township_doctor, team, user=s.village_doctor_a, institution=s.clinic_a, role="village_doctor")
    fd.sign_contract(s.township_doctor, resident=patient, team=team, doctor=s.township_doctor,
                     packages=[Package.objects.get(code="basic")], start_date=dt.date(2026, 1, 1))
    r = actions.submit_referral(s.county_specialist, helpers.down_draft(s, patient=patient))
    r = actions.accept_referral(s.township_doctor, r)
    actions.receive_referral(s.township_doctor, r)
    team_tasks = [t for t in _down_tasks(s.village_doctor_a) if t.group_kind == "team"]
    assert team_tasks and str(team_tasks[0].group_id) == str(team.pk)
    assert not _down_tasks(s.village_doctor_b)
