"""Structure pages and API: browse for everyone signed in, edit by role and institution."""
import io

from openpyxl import Workbook
from rest_framework.authtoken.models import Token

from yigongti.org.models import Department, Institution, PopulationDenominator


def test_everyone_signed_in_browses_the_tree(client, scenario):
    client.force_login(scenario.village_doctor_a)
    body = client.get("/org/").content.decode()
    assert "示范县" in body and "东湖镇中心卫生院" in body and "石门村卫生室" in body
    detail = client.get(f"/org/institutions/{scenario.centre_1.pk}/").content.decode()
    assert "李乡医" in detail and "编辑" not in detail.split("<h1>")[1].split("</section>")[0]


def test_staff_phones_are_masked_on_the_institution_page(client, scenario):
    scenario.township_doctor.phone = "13812345678"
    scenario.township_doctor.save()
    client.force_login(scenario.institution_admin_t1)
    body = client.get(f"/org/institutions/{scenario.centre_1.pk}/").content.decode()
    assert "138****5678" in body and "13812345678" not in body


def test_an_institution_admin_edits_own_institution_not_another(client, scenario):
    client.force_login(scenario.institution_admin_t1)
    ok = client.post(f"/org/institutions/{scenario.centre_1.pk}/edit/", {
        "name": "东湖镇中心卫生院", "short_name": "东湖", "grade": "1A", "insurance_code": "H1",
        "clinical_system": "yigongti", "address": "东湖大道1号", "phone": "0791-1", "beds": 130})
    assert ok.status_code == 302
    assert Institution.objects.get(pk=scenario.centre_1.pk).beds == 130
    assert client.get(f"/org/institutions/{scenario.centre_2.pk}/edit/").status_code == 403
    denied = client.post(f"/org/institutions/{scenario.centre_2.pk}/edit/", {"name": "改名", "beds": 1})
    assert denied.status_code == 403 and Institution.objects.get(pk=scenario.centre_2.pk).name == "西山乡卫生院"
    assert client.post(f"/org/institutions/{scenario.clinic_c.pk}/departments/new/",
                       {"code": "QK", "name": "全科"}).status_code == 403
    assert not Department.objects.filter(institution=scenario.clinic_c).exists()


def test_a_village_doctor_reaches_no_admin_page(client, scenario):
    client.force_login(scenario.village_doctor_a)
    for url in (f"/org/institutions/{scenario.clinic_a.pk}/edit/", "/org/institutions/new/", "/org/areas/new/",
                f"/org/institutions/{scenario.clinic_a.pk}/staff/new/", "/org/denominators/import/",
                f"/org/denominators/{scenario.village_a.pk}/2026/"):
        assert client.get(url).status_code == 403, url


def test_adding_staff_shows_field_errors_in_chinese(client, scenario):
    client.force_login(scenario.institution_admin_t1)
    response = client.post(f"/org/institutions/{scenario.clinic_a.pk}/staff/new/", {
        "username": "village-doctor-a", "full_name": "新村医", "phone": "12345", "roles": ["village_doctor"],
        "password": "short"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "手机号应为11位数字" in body


def test_adding_staff_creates_user_membership_and_roles(client, scenario):
    client.force_login(scenario.institution_admin_t1)
    response = client.post(f"/org/institutions/{scenario.clinic_a.pk}/staff/new/", {
        "username": "new-vd", "full_name": "新村医", "phone": "13900001111", "roles": ["village_doctor"],
        "password": "Long-enough-pass-2026", "title": "junior"})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="new-vd")
    assert user.memberships.get().institution == scenario.clinic_a
    assert list(user.memberships.get().roles.values_list("role", flat=True)) == ["village_doctor"]


def test_denominator_import_page_and_error_report(client, scenario):
    wb = Workbook()
    ws = wb.active
    ws.title = "人口数"
    ws.append(["区划代码", "年度", "性别", "年龄组", "常住人口", "户籍人口"])
    ws.append(["360199100201", 2026, "男", "65+", 40, 44])
    ws.append(["nope", 2026, "男", "65+", 40, 44])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "d.xlsx"
    client.force_login(scenario.consortium_office)
    response = client.post("/org/denominators/import/", {"file": buf})
    body = response.content.decode()
    assert "成功 1 行，错误 1 处" in body and "区划代码不存在" in body
    report = client.get("/org/denominators/errors.xlsx")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/org/denominators/?year=2026").status_code == 200
    assert PopulationDenominator.objects.count() == 1


def test_editing_denominators_on_the_page(client, scenario):
    client.force_login(scenario.health_bureau)
    data = {}
    for sex in "12":
        for band in ("0-2", "3-6", "7-34", "35-64", "65+"):
            p = f"{sex}_{band}"
            data.update({f"{p}-sex": sex, f"{p}-age_band": band, f"{p}-resident": 10, f"{p}-registered": 11})
    data["1_65+-resident"] = -1
    bad = client.post(f"/org/denominators/{scenario.village_b.pk}/2026/", data)
    assert bad.status_code == 200 and not PopulationDenominator.objects.exists()
    data["1_65+-resident"] = 12
    assert client.post(f"/org/denominators/{scenario.village_b.pk}/2026/", data).status_code == 302
    from yigongti.org.queries import denominator

    assert denominator(scenario.village_b, 2026) == 102


def test_api_lists_institutions_and_areas_with_filters(client, scenario):
    token = Token.objects.create(user=scenario.village_doctor_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    villages = client.get("/api/v1/institutions/?tier=village", **auth).json()
    assert {r["code"] for r in villages["results"]} == {"V001", "V002", "V003"}
    areas = client.get(f"/api/v1/areas/?parent={scenario.township_1.pk}", **auth).json()
    assert {r["name"] for r in areas["results"]} == {"桃源村", "柳林村"}
    assert client.get("/api/v1/institutions/").status_code in (401, 403)
