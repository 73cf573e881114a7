"""/api/v1/budget/years/, /api/v1/settlements/, /api/v1/workpoints/, /api/v1/expenses/ (approve/reject)."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yigongti.finance import actions

from .helpers import HEADER

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_budget_years_and_settlements(client, scenario):
    client.force_login(scenario.consortium_office)
    created = _post(client, "/api/v1/budget/years/", {"year": 2026, "gross_fund": "100000000", "insured": 500000})
    assert created.status_code == 201, created.content
    assert created.json()["paid"] == "72500000.00"
    bad = _post(client, "/api/v1/budget/years/", {"year": 2026, "gross_fund": "x"})
    assert bad.status_code == 400 and "gross_fund" in bad.json()["error"]["fields"]
    line = _post(client, "/api/v1/settlements/", {"month": "2026-03-15", "scheme": "resident", "care": "inpatient",
                                                  "in_county": True, "provider_code": "H001", "cases": 10,
                                                  "total_cost": "1000", "fund_paid": "700"})
    assert line.status_code == 201 and line.json()["institution"] == scenario.county_hospital.pk
    upload = client.post("/api/v1/settlements/import/", {"file": SimpleUploadedFile(
        "s.csv", (HEADER + "2026-03,居民,住院,否,X1,省医院,1,1,100,300\n").encode())})
    assert upload.status_code == 200 and upload.json()["failed"] == 1
    year = client.get("/api/v1/budget/years/2026/").json()
    assert year["spend"]["members"] == "700.00" and year["spend"]["in_county_share"] == "100.0"
    assert client.get("/api/v1/settlements/?year=2026").json()["count"] == 1


def test_the_budget_is_not_for_a_township_doctor(client, scenario):
    client.force_login(scenario.township_doctor)
    assert client.get("/api/v1/budget/years/").status_code == 403
    assert client.get("/api/v1/settlements/").status_code == 403
    assert _post(client, "/api/v1/budget/years/", {"year": 2026, "gross_fund": "1"}).status_code == 403


def test_workpoints_compute_review_approve(client, scenario):
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role

    head = org_actions.create_staff(None, institution=scenario.centre_1, username="api-head", full_name="科主任",
                                    password=scenario.password, roles=[Role.DEPARTMENT_HEAD], validate=False)
    client.force_login(head)
    made = _post(client, "/api/v1/workpoints/", {"institution": scenario.centre_1.pk, "month": "2026-11-01"})
    assert made.status_code == 201, made.content
    sid = made.json()["id"]
    assert _post(client, f"/api/v1/workpoints/{sid}/review/").json()["status"] == "reviewed"
    client.force_login(scenario.institution_admin_t1)
    assert _post(client, f"/api/v1/workpoints/{sid}/approve/").json()["status"] == "approved"
    client.force_login(scenario.other_township_doctor)
    assert client.get(f"/api/v1/workpoints/{sid}/").status_code == 404


def test_expenses_approve_and_reject(client, scenario):
    client.force_login(scenario.institution_admin_t1)
    made = _post(client, "/api/v1/expenses/", {"institution": scenario.centre_1.pk, "spent_on": "2026-11-01",
                                               "category": "设备", "description": "DR维修", "amount": "15000"})
    assert made.status_code == 201 and made.json()["status"] == "pending"
    eid = made.json()["id"]
    assert _post(client, f"/api/v1/expenses/{eid}/approve/").status_code == 403
    client.force_login(scenario.consortium_office)
    assert [e["id"] for e in client.get("/api/v1/expenses/?status=pending").json()["results"]] == [eid]
    refused = _post(client, f"/api/v1/expenses/{eid}/reject/", {})
    assert refused.status_code == 400 and "decision_note" in refused.json()["error"]["fields"]
    assert _post(client, f"/api/v1/expenses/{eid}/reject/", {"note": "超预算"}).json()["status"] == "rejected"
    e2 = actions.record_expense(scenario.institution_admin_t1, institution=scenario.centre_1,
                                spent_on=dt.date(2026, 11, 3), category="耗材", description="试剂", amount="20000")
    assert _post(client, f"/api/v1/expenses/{e2.pk}/approve/").json()["status"] == "approved"
