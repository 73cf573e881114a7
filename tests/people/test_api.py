"""/api/v1/residents/, /exams/, /encounters/: scoped lists, field errors, 409 on a stale version, audit."""
import datetime as dt

from yigongti.audit.models import AuditEntry

from .conftest import register, synthetic


def test_create_search_retrieve_and_patch(scenario, client):
    client.force_login(scenario.village_doctor_a)
    number = synthetic(dt.date(1948, 3, 2), "2")
    response = client.post("/api/v1/residents/", {"name": "罗福英", "id_number": number, "area": scenario.village_a.pk,
                                                  "phone": "13812345678"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == "3601**********" + number[-4:] and body["phone"] == "138****5678"
    assert body["sex"] == "2" and body["record_number"] == "36019910020100001"
    listing = client.get("/api/v1/residents/?q=5678").json()
    assert [r["id"] for r in listing["results"]] == [body["id"]]
    client.get(f"/api/v1/residents/{body['id']}/")
    assert AuditEntry.objects.filter(action="read", object_id=str(body["id"])).exists()
    ok = client.patch(f"/api/v1/residents/{body['id']}/", {"version": 1, "phone": "13900001111"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/residents/{body['id']}/", {"version": 1, "phone": "13900002222"},
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale"


def test_a_wrong_check_digit_is_a_field_error_on_id_number(scenario, client):
    client.force_login(scenario.village_doctor_a)
    response = client.post("/api/v1/residents/", {"name": "张三", "id_number": "110105194912310021",
                                                  "area": scenario.village_a.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "校验位" in response.json()["error"]["fields"]["id_number"][0]


def test_creating_outside_the_service_area_is_a_field_error(scenario, client):
    client.force_login(scenario.village_doctor_b)
    response = client.post("/api/v1/residents/", {"name": "张三", "document_type": "none", "sex": "1",
                                                  "birth_date": "1970-01-01", "area": scenario.village_a.pk},
                           content_type="application/json")
    assert response.status_code == 400 and "area" in response.json()["error"]["fields"]


def test_exams_and_encounters(scenario, icd, client):
    r = register(scenario)
    client.force_login(scenario.village_doctor_a)
    exam = client.post("/api/v1/exams/", {"resident": r.pk, "institution": scenario.clinic_a.pk,
                                          "exam_date": "2025-03-01", "height": "160", "weight": "64"},
                       content_type="application/json")
    assert exam.status_code == 201 and exam.json()["bmi"] == "25.0"
    enc = client.post("/api/v1/encounters/", {"resident": r.pk, "institution": scenario.clinic_a.pk,
                                              "kind": "outpatient", "visit_date": "2025-03-01",
                                              "primary_diagnosis": "I10.x00", "total_cost": "30",
                                              "drug_cost": "40"}, content_type="application/json")
    assert enc.status_code == 400 and "drug_cost" in enc.json()["error"]["fields"]
    enc = client.post("/api/v1/encounters/", {"resident": r.pk, "institution": scenario.clinic_a.pk,
                                              "kind": "outpatient", "visit_date": "2025-03-01",
                                              "primary_diagnosis": "I10.x00", "total_cost": "30"},
                      content_type="application/json")
    assert enc.status_code == 201, enc.content
    assert client.get("/api/v1/encounters/").json()["count"] == 1
    client.force_login(scenario.village_doctor_b)
    assert client.get("/api/v1/encounters/").json()["count"] == 0
    assert client.get("/api/v1/exams/").json()["count"] == 0


def test_a_patch_may_send_the_version_as_if_match(scenario, client):
    r = register(scenario)
    client.force_login(scenario.village_doctor_a)
    got = client.get(f"/api/v1/residents/{r.pk}/")
    assert got["ETag"] == '"1"'
    ok = client.patch(f"/api/v1/residents/{r.pk}/", {"phone": "13900001111"}, content_type="application/json",
                      headers={"If-Match": got["ETag"]})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/residents/{r.pk}/", {"phone": "13900002222"}, content_type="application/json",
                         headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    missing = client.patch(f"/api/v1/residents/{r.pk}/", {"phone": "13900002222"}, content_type="application/json")
    assert missing.status_code == 400 and "version" in missing.json()["error"]["fields"]
