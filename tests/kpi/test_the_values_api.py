"""/api/v1/indicators/ and /api/v1/indicators/{code}/values/?period=…&by=…"""
from decimal import Decimal

from rest_framework.test import APIClient

from .conftest import payload, publish


def _client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_catalog_endpoint_lists_definitions(county):
    body = _client(county.users["township_doctor"]).get("/api/v1/indicators/").json()
    drug = next(i for i in body["results"] if i["code"] == "effect.drug_share")
    assert drug["unit"] == "percent" and drug["computable"] and drug["denominator"]
    waiting = next(i for i in body["results"] if i["code"] == "national.premature_chronic_mortality")
    assert not waiting["computable"] and waiting["data_needs"]


def test_values_by_institution_with_year_on_year(county):
    centre = county.inst("centre_1")
    publish(None, payload(centre, visit_date="2024-05-02", total="100.00", drug="50.00"))
    publish(None, payload(centre, visit_date="2025-05-02", total="100.00", drug="40.00"))
    body = _client(county.users["consortium_office"]).get(
        "/api/v1/indicators/effect.drug_share/values/?period=2025&by=institution").json()
    row = next(r for r in body["results"] if r["cut"] == f"institution:{centre.pk}")
    assert Decimal(row["value"]) == Decimal("40.00")
    assert Decimal(row["last_year"]["value"]) == Decimal("50.00")
    assert Decimal(row["yoy_percent"]) == Decimal("-20.00")


def test_values_by_month(county):
    publish(None, payload(county.inst("centre_2"), visit_date="2025-02-02"))
    body = _client(county.users["consortium_office"]).get(
        "/api/v1/indicators/effect.outpatient_visits/values/?period=2025-Q1&by=month").json()
    assert [(r["label"], r["value"]) for r in body["results"]] == [("2025-01", 0), ("2025-02", 1), ("2025-03", 0)]


def test_bad_parameters_are_field_errors_not_500(county):
    api = _client(county.users["consortium_office"])
    response = api.get("/api/v1/indicators/effect.drug_share/values/?period=2025-14&by=planet")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"period", "by"}
    assert api.get("/api/v1/indicators/nope/values/").status_code == 404
    level = api.get("/api/v1/indicators/national.primary_visit_share/values/?by=institution")
    assert level.status_code == 400


def test_administrators_get_403(county):
    assert _client(county.users["system_admin"]).get("/api/v1/indicators/").status_code == 403
