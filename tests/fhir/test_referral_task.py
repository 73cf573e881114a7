"""Referrals as ServiceRequest + Task: the hospital's system follows the Task as the referral moves through
its workflow (status mapped from the referral state), searches by status, owner and requester."""
import pytest

from yigongti.fhir import registry

from .conftest import assert_valid, body

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(registry.get("Task") is None, reason="the referrals app is not there")]


def test_the_task_follows_the_referral(scenario, fhir):
    from tests.referrals import helpers
    from yigongti.referrals import actions

    helpers.icd()
    r = helpers.submitted(scenario)
    hospital = fhir(scenario.county_specialist)
    inbox = assert_valid(body(hospital.get("/fhir/Task", {
        "owner": f"Organization/{scenario.county_hospital.pk}", "status": "requested"})))
    assert [e["resource"]["id"] for e in inbox["entry"]] == [str(r.pk)]
    task = inbox["entry"][0]["resource"]
    assert task["businessStatus"]["coding"][0]["code"] == "submitted"
    assert task["basedOn"][0]["reference"] == f"ServiceRequest/{r.pk}"
    assert task["requester"]["reference"] == f"Organization/{scenario.centre_1.pk}"
    request = assert_valid(body(hospital.get(f"/fhir/ServiceRequest/{r.pk}")))
    assert request["status"] == "active" and request["identifier"][0]["value"] == r.number
    assert request["reasonCode"][0]["coding"][0]["code"] == "S66.300"

    actions.accept_referral(scenario.county_specialist, r)
    assert body(hospital.get(f"/fhir/Task/{r.pk}"))["status"] == "accepted"
    actions.receive_referral(scenario.county_specialist, r)
    assert body(hospital.get(f"/fhir/Task/{r.pk}"))["status"] == "in-progress"
    assert body(hospital.get("/fhir/Task", {"status": "requested"}))["total"] == 0
    sent = body(fhir(scenario.township_doctor).get("/fhir/ServiceRequest", {
        "requester": f"Practitioner/{scenario.township_doctor.pk}", "status": "active"}))
    assert sent["total"] == 1
    assert fhir(scenario.village_doctor_c).get(f"/fhir/Task/{r.pk}").status_code == 404
    assert body(fhir(scenario.village_doctor_c).get("/fhir/Task"))["total"] == 0


def test_a_rejected_referral_is_a_rejected_task_with_its_reason(scenario, fhir):
    from tests.referrals import helpers
    from yigongti.referrals import actions

    helpers.icd()
    r = helpers.submitted(scenario)
    actions.reject_referral(scenario.county_specialist, r, "本院无相应科室")
    task = assert_valid(body(fhir(scenario.township_doctor).get(f"/fhir/Task/{r.pk}")))
    assert task["status"] == "rejected" and task["statusReason"]["text"] == "本院无相应科室"
    assert body(fhir(scenario.township_doctor).get(f"/fhir/ServiceRequest/{r.pk}"))["status"] == "revoked"
