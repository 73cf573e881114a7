"""The pages that maintain teams and packages: a township doctor creates a team for their centre, edits its
name and villages, adds a county specialist from another institution and removes a member; another township's
doctor can neither create a team in that centre's name nor edit it; the consortium office edits a package's
items and price, nobody else may; the team page shows the team's rates, the expiring contracts and the
key-population residents not yet signed, and the navigation leads to the teams."""
import datetime as dt

from yigongti.familydoctor.models import Package, Team, TeamMember

from .conftest import register, sign


def test_create_and_edit_a_team(client, scenario):
    client.force_login(scenario.township_doctor)
    assert client.get("/familydoctor/teams/new/").status_code == 200
    bad = client.post("/familydoctor/teams/new/", {"institution": scenario.centre_1.pk, "name": "",
                                                   "leader": scenario.township_doctor.pk})
    assert bad.status_code == 400 and "请填写团队名称" in bad.content.decode()
    response = client.post("/familydoctor/teams/new/", {
        "institution": scenario.centre_1.pk, "name": "新建1团队", "leader": scenario.township_doctor.pk,
        "areas": [scenario.village_a.pk, scenario.village_c.pk]})  # village C is not centre 1's: ignored
    team = Team.objects.get(name="新建1团队")
    assert response.status_code == 302 and response["Location"].endswith(f"/teams/{team.pk}/")
    assert list(team.areas.all()) == [scenario.village_a]
    edit = f"/familydoctor/teams/{team.pk}/edit/"
    assert client.get(edit).status_code == 200
    client.post(f"/familydoctor/teams/{team.pk}/members/", {"username": "county-specialist",
                                                             "role": "county_specialist"})
    member = TeamMember.objects.get(team=team, user=scenario.county_specialist)
    assert (member.institution, member.role) == (scenario.county_hospital, "county_specialist")
    client.post(f"/familydoctor/teams/{team.pk}/members/", {"username": "village-doctor-a", "role": "village_doctor"})
    response = client.post(edit, {"name": "桃柳团队", "leader": scenario.township_doctor.pk, "active": "1",
                                  "areas": [scenario.village_a.pk, scenario.village_b.pk], "version": team.version})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "桃柳团队" and team.areas.count() == 2
    stale = client.post(edit, {"name": "旧页面", "leader": scenario.township_doctor.pk, "active": "1",
                               "version": team.version - 1})
    assert stale.status_code == 400 and Team.objects.get(pk=team.pk).name == "桃柳团队"
    vd = TeamMember.objects.get(team=team, user=scenario.village_doctor_a)
    client.post(f"/familydoctor/teams/{team.pk}/members/{vd.pk}/remove/")
    assert not TeamMember.objects.filter(pk=vd.pk).exists()
    leader = TeamMember.objects.get(team=team, user=scenario.township_doctor)
    client.post(f"/familydoctor/teams/{team.pk}/members/{leader.pk}/remove/")
    assert TeamMember.objects.filter(pk=leader.pk).exists()  # the leader stays


def test_another_township_cannot_create_or_edit(client, scenario, team):
    client.force_login(scenario.other_township_doctor)
    response = client.post("/familydoctor/teams/new/", {"institution": scenario.centre_1.pk, "name": "越权团队",
                                                        "leader": scenario.other_township_doctor.pk})
    assert response.status_code == 403 and not Team.objects.filter(name="越权团队").exists()
    assert client.post(f"/familydoctor/teams/{team.pk}/edit/", {"name": "越权改名"}).status_code == 404
    client.force_login(scenario.village_doctor_a)  # a member, not an admin of the centre
    assert client.get("/familydoctor/teams/new/").status_code == 404
    assert client.post(f"/familydoctor/teams/{team.pk}/edit/", {"name": "越权改名"}).status_code == 403
    assert Team.objects.get(pk=team.pk).name == "东湖1团队"


def test_the_office_edits_a_package(client, scenario):
    url = "/familydoctor/packages/copd/"
    client.force_login(scenario.township_doctor)
    assert client.get("/familydoctor/packages/").status_code == 200
    assert client.post(url, {"name": "改", "kind": "personal", "price": "1"}).status_code == 403
    client.force_login(scenario.consortium_office)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "慢阻肺包", "kind": "personal", "price": "abc", "label_0": "复诊", "count_0": "2"})
    assert bad.status_code == 400 and "服务费格式不正确" in bad.content.decode()
    response = client.post(url, {"name": "慢阻肺包", "kind": "personal", "price": "88.50", "active": "1",
                                 "label_0": "门诊复诊", "code_0": "encounter_outpatient", "count_0": "3",
                                 "population_0": "", "label_1": "", "code_1": "", "count_1": "", "population_1": ""})
    assert response.status_code == 302
    p = Package.objects.get(code="copd")
    assert (p.name, str(p.price)) == ("慢阻肺包", "88.50")
    assert list(p.items.values_list("label", "yearly_count")) == [("门诊复诊", 3)]
    new = client.post("/familydoctor/packages/new/", {"code": "copd", "name": "重复", "kind": "personal", "price": "0"})
    assert new.status_code == 400 and "该编码已被使用" in new.content.decode()


def test_the_team_page_shows_rates_expiring_and_not_yet_signed(client, scenario, team):
    from django.utils import timezone

    from yigongti.org import actions as org

    for sex in ("1", "2"):
        org.set_denominator(None, area=scenario.village_a, year=timezone.localdate().year, sex=sex, age_band="65+",
                            resident=5, registered=5)
    signed = register(scenario, name="已签约老人", birth_date=dt.date(1950, 1, 1))
    from yigongti.familydoctor.landing import month_end

    end = month_end(timezone.localdate())
    sign(scenario, team, signed, start_date=(end + dt.timedelta(days=1)).replace(year=end.year - 1))
    register(scenario, name="未签约老人", birth_date=dt.date(1945, 1, 1))
    register(scenario, name="年轻居民", birth_date=dt.date(1995, 1, 1))
    client.force_login(scenario.township_doctor)
    page = client.get(f"/familydoctor/teams/{team.pk}/").content.decode()
    assert "10.00%" in page  # 1 signed / 10 常住
    assert "50.00%" in page  # 1 of 2 older residents
    unsigned = page.split("未签约的重点人群")[1].split("</section>")[0]
    assert "未签约老人" in unsigned and "年轻居民" not in unsigned and "已签约老人" not in unsigned
    expiring = page.split("<h2>本月到期")[1].split("</section>")[0]
    assert "已签约老人" in expiring
    assert 'href="/familydoctor/"' in client.get("/").content.decode()
