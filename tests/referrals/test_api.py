"""/api/v1/referrals/: create, list, retrieve and every step as POST …/{id}/{step}/; field errors in the one
JSON error shape; 403 for a step that belongs to the other side; the scanner's ?number= lookup; filings."""
from yigongti.audit.models import AuditEntry

from . import helpers


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_whole_path_over_the_api(scenario, client):
    s = scenario
    patient = helpers.resident(s)
    helpers.beds(s, 1)
    client.force_login(s.township_doctor)
    created = _post(client, "/api/v1/referrals/", {
        "resident": patient.pk, "from_institution": s.centre_1.pk, "to_institution": s.county_hospital.pk,
        "reason": "difficult", "referral_type": "inpatient", "primary_diagnosis": "s66.300",
        "condition_summary": "左手中指肿痛", "consent": True, "consent_by": patient.name})
    assert created.status_code == 201, created.content
    body = created.json()
    rid = body["id"]
    assert (body["state"], body["direction"], body["primary_diagnosis"]) == ("draft", "up", "S66.300")
    assert body["expected_deductible"]["rule"] == "up_difference"
    assert body["expected_deductible"]["amount"] == "600.00"  # 三级 800 − 一级 200 (城乡居民)
    assert _post(client, f"/api/v1/referrals/{rid}/attach/").status_code == 200
    assert _post(client, f"/api/v1/referrals/{rid}/submit/").json()["state"] == "submitted"
    # the sender may not accept its own referral
    refused = _post(client, f"/api/v1/referrals/{rid}/accept/")
    assert refused.status_code == 403 and refused.json()["error"]["status"] == 403

    client.force_login(s.county_specialist)
    found = client.get("/api/v1/referrals/", {"number": body["number"].lower()}).json()
    assert [r["id"] for r in found["results"]] == [rid]
    accepted = _post(client, f"/api/v1/referrals/{rid}/accept/", {"reserve_bed": True, "note": "绿色通道"})
    assert accepted.status_code == 200 and accepted.json()["bed"] is not None
    assert _post(client, f"/api/v1/referrals/{rid}/receive/").json()["state"] == "received"
    missing = _post(client, f"/api/v1/referrals/{rid}/complete/", {})
    assert missing.status_code == 400 and "return_plan" in missing.json()["error"]["fields"]
    done = _post(client, f"/api/v1/referrals/{rid}/complete/", {"return_diagnosis": "S66.300",
                                                                "return_plan": "两周后拆线"})
    assert done.json()["state"] == "completed"
    again = _post(client, f"/api/v1/referrals/{rid}/cancel/")
    assert again.status_code == 403  # only the sender cancels
    client.force_login(s.township_doctor)
    illegal = _post(client, f"/api/v1/referrals/{rid}/cancel/")
    assert illegal.status_code == 400 and "status" in illegal.json()["error"]["fields"]
    assert client.get(f"/api/v1/referrals/{rid}/").json()["return_plan"] == "两周后拆线"
    assert AuditEntry.objects.filter(action="read", object_type="referrals.Referral", object_id=str(rid)).exists()


def test_bad_input_is_a_field_error_never_a_500(scenario, client):
    s = scenario
    patient = helpers.resident(s)
    client.force_login(s.township_doctor)
    bad = _post(client, "/api/v1/referrals/", {"resident": patient.pk, "from_institution": s.centre_1.pk,
                                               "to_institution": s.centre_1.pk, "reason": "difficult",
                                               "primary_diagnosis": "ZZZ"})
    assert bad.status_code == 400
    assert "to_institution" in bad.json()["error"]["fields"]
    other = _post(client, "/api/v1/referrals/", {"resident": patient.pk, "from_institution": s.centre_2.pk,
                                                 "to_institution": s.county_hospital.pk, "reason": "difficult",
                                                 "primary_diagnosis": "S66.300"})
    assert other.status_code == 403
    hidden = helpers.resident(s, village="village_c")
    unseen = _post(client, "/api/v1/referrals/", {"resident": hidden.pk, "from_institution": s.centre_1.pk,
                                                  "to_institution": s.county_hospital.pk, "reason": "difficult",
                                                  "primary_diagnosis": "S66.300"})
    assert unseen.status_code == 400 and "resident" in unseen.json()["error"]["fields"]


def test_filings(scenario, client):
    s = scenario
    patient = helpers.resident(s)
    client.force_login(s.township_doctor)
    made = _post(client, "/api/v1/referral-filings/", {
        "resident": patient.pk, "institution": s.centre_1.pk, "destination": "省人民医院", "destination_grade": "3",
        "primary_diagnosis": "C34.900", "reason": "beyond_county", "reason_detail": "县内无法开展胸腔镜手术"})
    assert made.status_code == 201, made.content
    short = _post(client, "/api/v1/referral-filings/", {
        "resident": patient.pk, "institution": s.centre_1.pk, "destination": "省人民医院",
        "primary_diagnosis": "C34.900", "reason": "beyond_county", "reason_detail": "无"})
    assert short.status_code == 400 and "reason_detail" in short.json()["error"]["fields"]
    assert client.get("/api/v1/referral-filings/").json()["count"] == 1
