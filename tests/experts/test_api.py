"""/api/v1/timetables/, /api/v1/slots/ (book, cancel), /api/v1/consultations/, /api/v1/outreach/."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yigongti.experts.models import Booking

from . import helpers


def api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


@pytest.fixture
def s(scenario):
    return scenario


def test_timetables_and_slots(s):
    session = helpers.session(s, capacity=3, reserved=1)
    rows = api(s.village_doctor_a).get("/api/v1/timetables/", {"institution": s.centre_1.pk}).json()["results"]
    assert rows[0]["specialty"] == "骨科" and rows[0]["specialist_name"] == "吴专家"
    slots = api(s.village_doctor_a).get("/api/v1/slots/", {"institution": s.centre_1.pk}).json()["results"]
    assert slots[0]["id"] == session.pk and slots[0]["free_general"] == 2 and slots[0]["free_reserved"] == 1
    bad = api(s.village_doctor_a).get("/api/v1/slots/", {"date_from": "yesterday"})
    assert bad.status_code == 400


def test_book_and_cancel(s):
    session = helpers.session(s, capacity=1, reserved=0)
    p, q = helpers.contracted(s), helpers.resident(s)
    client = api(s.village_doctor_a)
    r = client.post(f"/api/v1/slots/{session.pk}/book/", {"resident": p.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["number"] == 1 and "phone" not in r.json()
    full = api(s.township_doctor).post(f"/api/v1/slots/{session.pk}/book/", {"resident": q.pk}, format="json")
    assert full.status_code == 400 and "slot" in full.json()["error"]["fields"]
    assert api(s.village_doctor_c).post(f"/api/v1/slots/{session.pk}/book/", {"resident": q.pk},
                                        format="json").status_code == 404
    done = client.post("/api/v1/slots/cancel/", {"booking": r.json()["id"], "reason": "改期"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    assert Booking.objects.get().status == "cancelled"


def test_consultations(s):
    p = helpers.resident(s)
    r = api(s.village_doctor_a).post("/api/v1/consultations/", {
        "resident": p.pk, "institution": s.clinic_a.pk, "specialist": s.county_specialist.pk, "mode": "instant",
        "question": "请指导"}, format="json")
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert api(s.county_specialist).get("/api/v1/consultations/").json()["count"] == 1
    bad = api(s.county_specialist).post(f"/api/v1/consultations/{cid}/answer/", {"answer": ""}, format="json")
    assert bad.status_code == 400
    ok = api(s.county_specialist).post(f"/api/v1/consultations/{cid}/answer/",
                                       {"answer": "继续观察", "video_call": True}, format="json")
    assert ok.json()["status"] == "answered" and ok.json()["video_call"] is True
    assert api(s.village_doctor_c).get(f"/api/v1/consultations/{cid}/").status_code == 404


def test_outreach(s):
    from django.utils import timezone

    r = api(s.township_doctor).post("/api/v1/outreach/", {
        "kind": "ward_round", "institution": s.centre_1.pk, "date": timezone.localdate().isoformat(),
        "topic": "教学查房", "experts": [s.county_specialist.pk], "participants": 8}, format="json")
    assert r.status_code == 201, r.content
    assert api(s.health_bureau).get("/api/v1/outreach/", {"kind": "ward_round"}).json()["count"] == 1
    denied = api(s.other_township_doctor).post("/api/v1/outreach/", {
        "kind": "ward_round", "institution": s.centre_1.pk, "date": timezone.localdate().isoformat(),
        "topic": "x", "experts": [s.county_specialist.pk]}, format="json")
    assert denied.status_code == 403
