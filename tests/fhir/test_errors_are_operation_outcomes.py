"""Every error is an OperationOutcome (valid R4B) with the right status; nothing answers HTML or a 500."""
import pytest

from .conftest import assert_valid, body

pytestmark = pytest.mark.django_db


def _outcome(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    outcome = assert_valid(body(response))
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"]
    return outcome


def test_authentication_and_unknown_things(scenario, fhir, client):
    anonymous = fhir()
    assert _outcome(anonymous.get("/fhir/Patient"), 401)["issue"][0]["code"] == "login"
    bad_token = client.get("/fhir/Patient", HTTP_AUTHORIZATION="Token nope")
    _outcome(bad_token, 401)
    doctor = fhir(scenario.village_doctor_a)
    _outcome(doctor.get("/fhir/Patient/123456"), 404)
    _outcome(doctor.get("/fhir/Patient/not-a-number"), 404)
    _outcome(doctor.get("/fhir/Medication"), 404)
    _outcome(doctor.get("/fhir/Observation/bogus"), 404)


def test_methods_content_types_and_parameters(scenario, fhir, client):
    doctor = fhir(scenario.village_doctor_a)
    _outcome(doctor.post("/fhir/Organization", {"resourceType": "Organization"}), 405)
    _outcome(doctor.put(f"/fhir/Organization/{scenario.clinic_a.pk}", {"resourceType": "Organization"}), 405)
    _outcome(client.delete("/fhir/Patient/1", **doctor.headers), 405)
    _outcome(client.post("/fhir/Patient", "<Patient/>", content_type="application/fhir+xml", **doctor.headers), 415)
    _outcome(client.post("/fhir/Patient", "{not json", content_type="application/fhir+json", **doctor.headers), 400)
    _outcome(doctor.post("/fhir/Patient", {"resourceType": "Observation"}), 400)
    _outcome(doctor.post("/fhir/Patient", {"resourceType": "Patient", "gender": 1, "nonsense": True}), 400)
    _outcome(doctor.get("/fhir/Patient", HTTP_ACCEPT="application/fhir+xml"), 406)
    _outcome(doctor.get("/fhir/Patient", {"_count": "many"}), 400)
    _outcome(doctor.get("/fhir/Patient", {"birthdate": "yesterday"}), 400)
    _outcome(doctor.get("/fhir/Patient", {"birthdate": "sa2020"}), 400)
    assert doctor.get("/fhir/Patient", {"colour": "blue"}).status_code == 200  # lenient by default
    _outcome(doctor.get("/fhir/Patient", {"colour": "blue"}, HTTP_PREFER="handling=strict"), 400)
    _outcome(doctor.post("/fhir/Observation", {"resourceType": "Observation", "status": "final",
                                               "code": {"text": "x"}}, HTTP_IF_NONE_EXIST="identifier=x"), 400)
    _outcome(doctor.put("/fhir/Patient/1", {"resourceType": "Patient"}, HTTP_IF_MATCH="three"), 400)


def test_an_unknown_address_under_fhir_is_an_outcome_too(scenario, client):
    response = client.get("/fhir/no/such/thing/here")
    _outcome(response, 404)


def test_a_body_too_large_is_413(scenario, fhir, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = fhir(scenario.village_doctor_a).post("/fhir/Patient", {"resourceType": "Patient", "name": [
        {"text": "很长" * 100}]})
    _outcome(response, 413)
