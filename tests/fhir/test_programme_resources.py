"""Programme records (chronic) over FHIR: an enrolment is a Condition (problem-list item) and a CarePlan (the
follow-up plan with its next date); follow-up vitals are Observations; sensitive programmes stay hidden."""
import datetime as dt

import pytest

from yigongti.fhir import registry

from .conftest import assert_valid, body

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(registry.get("CarePlan") is None, reason="the chronic app has no queries yet")]


def test_an_enrolment_is_a_condition_and_a_care_plan_and_its_visits_are_observations(scenario, fhir):
    from tests.chronic import helpers

    e = helpers.enrolment(scenario)
    visit, _decision = helpers.followup(scenario, e, visit_date=dt.date(2026, 11, 20), sbp=150, dbp=95)
    client = fhir(scenario.village_doctor_a)
    plans = assert_valid(body(client.get("/fhir/CarePlan", {"patient": e.resident_id, "status": "active"})))
    plan = assert_valid(plans["entry"][0]["resource"])
    assert plan["id"] == str(e.pk) and plan["category"][0]["coding"][0]["code"] == "hypertension"
    assert plan["addresses"][0]["reference"] == f"Condition/enrol-{e.pk}"
    e.refresh_from_db()
    assert plan["activity"][0]["detail"]["scheduledPeriod"]["start"] == e.next_due.isoformat()
    condition = assert_valid(body(client.get(f"/fhir/Condition/enrol-{e.pk}")))
    assert condition["code"]["coding"][0]["code"] == "I10.x00"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    problems = body(client.get("/fhir/Condition", {"patient": e.resident_id, "category": "problem-list-item"}))
    assert [c["resource"]["id"] for c in problems["entry"]] == [f"enrol-{e.pk}"]
    bp = body(client.get("/fhir/Observation", {"patient": e.resident_id, "code": "85354-9"}))
    assert f"fu-{visit.pk}-bp" in [o["resource"]["id"] for o in bp["entry"]]
    assert_valid(body(client.get(f"/fhir/Observation/fu-{visit.pk}-bp")))
    assert fhir(scenario.village_doctor_b).get(f"/fhir/CarePlan/{e.pk}").status_code == 404


def test_a_sensitive_programme_needs_the_programme_role(scenario, fhir):
    from tests.chronic import helpers

    e = helpers.enrolment(scenario, programme="mental")
    assert fhir(scenario.mental_health_doctor).get(f"/fhir/CarePlan/{e.pk}").status_code == 200
    assert fhir(scenario.township_doctor).get(f"/fhir/CarePlan/{e.pk}").status_code == 404
    assert fhir(scenario.township_doctor).get(f"/fhir/Condition/enrol-{e.pk}").status_code == 404
