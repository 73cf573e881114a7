"""The team leader signs a household on the page, sees the contract's items, prints the card with a QR code
whose page shows only that resident's team and items; a revoked token is gone; bad input is a 400 page."""
import datetime as dt
import re

from yigongti.familydoctor.models import Contract, Package
from yigongti.people import actions as people

from .conftest import register


def _household(scenario):
    head = register(scenario, name="户主甲", id_number="", document_type="none", phone="13812341234")
    child = register(scenario, name="孙子丙", birth_date=dt.date(2022, 5, 5), sex="1", document_type="none")
    h = people.create_household(scenario.village_doctor_a, head)
    people.join_household(scenario.village_doctor_a, child, h, "grandchild")
    return head, child


def test_sign_a_household_and_print_the_card(client, scenario, team):
    head, child = _household(scenario)
    client.force_login(scenario.township_doctor)
    url = f"/familydoctor/teams/{team.pk}/sign/"
    assert client.get(url, {"resident": head.pk}).status_code == 200
    basic = Package.objects.get(code="basic")
    response = client.post(url, {"resident": head.pk, f"consent_{head.pk}": "1", f"consent_by_{head.pk}": "户主甲",
                                 f"relation_{head.pk}": "本人", f"consent_{child.pk}": "1",
                                 f"consent_by_{child.pk}": "户主甲", f"relation_{child.pk}": "监护人",
                                 "packages": [basic.pk], "doctor": scenario.township_doctor.pk,
                                 "institution": scenario.centre_1.pk, "start_date": "2026-01-01"})
    assert response.status_code == 302
    assert Contract.objects.filter(resident__in=[head, child], status="active").count() == 2
    c = Contract.objects.get(resident=head)
    page = client.get(f"/familydoctor/contracts/{c.pk}/").content.decode()
    assert "健康教育" in page and "平台尚未记录该项服务" in page
    card = client.post(f"/familydoctor/contracts/{c.pk}/card/").content.decode()
    assert "家庭医生签约联系卡" in card and "<svg" in card and "吴专家" in card
    token = re.search(r"/familydoctor/c/([A-Za-z0-9_-]+)/", card).group(1)
    client.logout()
    public = client.get(f"/familydoctor/c/{token}/")
    text = public.content.decode()
    assert public.status_code == 200 and "吴专家" in text and "户主甲" not in text and "孙子丙" not in text
    assert "13812341234" not in text
    assert client.get("/familydoctor/c/not-a-token/").status_code == 404
    client.force_login(scenario.township_doctor)
    client.post(f"/familydoctor/contracts/{c.pk}/card/revoke/")
    client.logout()
    assert client.get(f"/familydoctor/c/{token}/").status_code == 404


def test_missing_consent_and_out_of_area_are_field_errors_not_500(client, scenario, team):
    r = register(scenario, doctor=scenario.village_doctor_c, institution=scenario.clinic_c, area=scenario.village_c)
    client.force_login(scenario.township_doctor)
    url = f"/familydoctor/teams/{team.pk}/sign/"
    basic = Package.objects.get(code="basic")
    base = {"resident": r.pk, "packages": [basic.pk], "doctor": scenario.township_doctor.pk,
            "institution": scenario.centre_1.pk, "start_date": "2026-01-01"}
    assert client.post(url, base).status_code in (400, 404)  # village C is outside the township's area scope


def test_the_team_page_lists_members_and_falling_behind(client, scenario, team):
    from .conftest import sign

    r = register(scenario, birth_date=dt.date(1950, 1, 1))
    sign(scenario, team, r)
    client.force_login(scenario.village_doctor_a)
    page = client.get(f"/familydoctor/teams/{team.pk}/").content.decode()
    assert "吴专家" in page and r.name in page


def test_the_card_page_is_rate_limited(client, scenario, settings):
    from django.core.cache import cache

    cache.clear()
    settings.YIGONGTI_FAMILYDOCTOR = {"card_rate_per_minute": 3}
    codes = [client.get(f"/familydoctor/c/guess{n}/").status_code for n in range(5)]
    assert codes[:3] == [404, 404, 404] and 429 in codes


def test_api_sign_renew_terminate_and_cross_township_write(scenario, team):
    from rest_framework.test import APIClient

    r = register(scenario)
    basic = Package.objects.get(code="basic")
    api = APIClient()
    api.force_authenticate(scenario.other_township_doctor)
    body = {"resident": r.pk, "team": team.pk, "doctor": scenario.township_doctor.pk,
            "institution": scenario.centre_2.pk, "packages": [basic.pk], "consent_by": r.name}
    refused = api.post("/api/v1/contracts/", body, format="json")
    assert refused.status_code == 400 and "error" in refused.json()
    assert not Contract.objects.filter(resident=r).exists()
    api.force_authenticate(scenario.township_doctor)
    body["institution"] = scenario.centre_1.pk
    created = api.post("/api/v1/contracts/", {**body, "start_date": "2026-01-01"}, format="json")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/contracts/", body, format="json")
    assert again.status_code == 400 and "resident" in again.json()["error"]["fields"]
    cid = created.json()["id"]
    assert api.get(f"/api/v1/contracts/{cid}/").json()["fulfilment"]
    renewed = api.post(f"/api/v1/contracts/{cid}/renew/", {}, format="json")
    assert renewed.status_code == 201 and renewed.json()["start_date"] == "2027-01-01"
    ended = api.post(f"/api/v1/contracts/{renewed.json()['id']}/terminate/", {"reason": "wish"}, format="json")
    assert ended.json()["status"] == "terminated"
    assert api.post(f"/api/v1/contracts/{cid}/terminate/", {"reason": "bogus"}, format="json").status_code == 400
    assert api.get("/api/v1/teams/").json()
    assert any(p["code"] == "basic" for p in api.get("/api/v1/packages/").json()["results"])
