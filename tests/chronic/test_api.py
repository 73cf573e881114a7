"""/api/v1/enrolments/, /api/v1/followups/ (create answers classification, next due date and referral advice),
/api/v1/followups/due/; field errors in the one JSON shape; 404 outside the user's scope."""
import datetime as dt

from . import helpers


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_enrol_then_followup_over_the_api(scenario, client):
    s = scenario
    patient = helpers.resident(s)
    client.force_login(s.village_doctor_a)
    refused = _post(client, "/api/v1/enrolments/", {"resident": patient.pk, "programme": "hypertension",
                                                     "icd10_code": "I15.900", "managing_institution": s.clinic_a.pk})
    assert refused.status_code == 400
    assert "icd10_code" in refused.json()["error"]["fields"]
    created = _post(client, "/api/v1/enrolments/", {"resident": patient.pk, "programme": "hypertension",
                                                     "icd10_code": "I10.x00", "managing_institution": s.clinic_a.pk,
                                                     "enrolled_on": "2026-01-10"})
    assert created.status_code == 201, created.content
    eid = created.json()["id"]
    r = _post(client, "/api/v1/followups/", {"enrolment": eid, "institution": s.clinic_a.pk,
                                              "visit_date": "2026-11-20", "mode": "clinic", "systolic": 185,
                                              "diastolic": 115, "medications": [{"drug": "氨氯地平", "times": "1",
                                                                                "dose": "5mg"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["decision"]["referral"] == "urgent"
    assert body["decision"]["classification"] == "unsatisfied"
    assert body["decision"]["next_due"] == "2026-12-04"
    due = client.get("/api/v1/followups/due/?bucket=all").json()
    rows = due["results"] if isinstance(due, dict) else due
    assert [row["id"] for row in rows] == [eid]
    assert "*" in rows[0]["phone"]   # lists over the API are masked; only the call-list page shows numbers
    bad = _post(client, "/api/v1/followups/", {"enrolment": eid, "institution": s.clinic_a.pk,
                                                "visit_date": "2026-11-21", "mode": "clinic", "systolic": 90,
                                                "diastolic": 120})
    assert bad.status_code == 400 and "diastolic" in bad.json()["error"]["fields"]


def test_other_township_gets_404_and_cannot_write(scenario, client):
    s = scenario
    e = helpers.enrolment(s)
    client.force_login(s.other_township_doctor)
    assert client.get(f"/api/v1/enrolments/{e.pk}/").status_code == 404
    r = _post(client, "/api/v1/followups/", {"enrolment": e.pk, "institution": s.centre_2.pk,
                                              "visit_date": str(dt.date(2026, 11, 20)), "mode": "clinic",
                                              "systolic": 130, "diastolic": 80})
    assert r.status_code == 404
    assert not e.visits.exists()
