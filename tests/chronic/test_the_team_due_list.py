"""Issue 7 §4: the due list for a team — a family-doctor team member sees the team's contracted patients who are
due, from the same one due-list query; a user without a team has no team tab."""
import datetime as dt

from tests.familydoctor.conftest import sign

from . import helpers


def test_a_team_member_sees_the_team_list(scenario, client):
    from yigongti.familydoctor import actions as fd

    s = scenario
    team = fd.create_team(s.township_doctor, institution=s.centre_1, name="东湖随访团队",
                          leader=s.township_doctor, areas=[s.village_a, s.village_b])
    contracted = helpers.enrolment(s, name="团队患者甲", enrolled_on=dt.date(2025, 6, 1))
    helpers.enrolment(s, name="团队外患者乙", enrolled_on=dt.date(2025, 6, 1))  # no contract: not the team's
    sign(s, team, contracted.resident)

    client.force_login(s.township_doctor)
    page = client.get("/chronic/?scope=team&bucket=all").content.decode()
    assert "本团队" in page and "团队患者甲" in page and "团队外患者乙" not in page

    client.force_login(s.village_doctor_b)  # in no team: no tab, and the team scope shows nothing
    page = client.get("/chronic/?scope=team&bucket=all").content.decode()
    assert "本团队" not in page and "团队患者甲" not in page


def test_the_enrolment_names_the_family_doctor_team_of_the_contract(scenario, client):
    """Issue 7 §2: the enrolment names the managing doctor and, once a contract exists, the family-doctor team —
    read from the contract in force (familydoctor owns teams), on the management card, the due list and the API."""
    from yigongti.familydoctor import actions as fd

    s = scenario
    team = fd.create_team(s.township_doctor, institution=s.centre_1, name="西岭家庭医生团队",
                          leader=s.township_doctor, areas=[s.village_a])
    e = helpers.enrolment(s, name="签约患者丙", enrolled_on=dt.date(2025, 6, 1))
    client.force_login(s.village_doctor_a)
    card = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert "家庭医生团队" in card and "未签约" in card and "西岭家庭医生团队" not in card

    sign(s, team, e.resident)
    card = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert "西岭家庭医生团队" in card and "未签约" not in card
    due = client.get("/chronic/?scope=mine&bucket=all").content.decode()
    assert "签约患者丙" in due and "西岭家庭医生团队" in due
    api = client.get("/api/v1/followups/due/?scope=mine&bucket=all").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [r["team"] for r in rows if r["id"] == e.pk] == ["西岭家庭医生团队"]
