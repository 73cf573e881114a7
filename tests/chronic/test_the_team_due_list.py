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
