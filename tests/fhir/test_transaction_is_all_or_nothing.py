"""A transaction Bundle runs in one durable database transaction: one bad entry changes nothing at all —
no resident, no measurement, no audit entry of a change, no event handler's work."""
import pytest

from yigongti.audit.models import AuditEntry
from yigongti.kpi.models import EncounterRollup
from yigongti.people.models import Encounter, Measurement, Resident

from .conftest import assert_valid, blood_pressure, body, citizen_id, patient, transaction

pytestmark = pytest.mark.django_db
ICD = "https://fhir.yigongti.local/CodeSystem/icd-10-cn"
P1, P2 = "urn:uuid:00000000-0000-4000-8000-0000000000a1", "urn:uuid:00000000-0000-4000-8000-0000000000a2"


def _encounter(subject, org):
    return {"resourceType": "Encounter", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": subject}, "period": {"start": "2026-11-02"},
            "reasonCode": [{"coding": [{"system": ICD, "code": "I10.x00"}]}],
            "serviceProvider": {"reference": f"Organization/{org.pk}"}}


def _changes():
    return AuditEntry.objects.exclude(action="read").count()


def test_a_bad_last_entry_rolls_back_every_entry_before_it(scenario, fhir, icd):
    his = fhir(scenario.village_doctor_a)
    before = _changes()
    bundle = transaction(
        ("POST", "Patient", patient(scenario), P1),
        ("POST", "Patient", patient(scenario, name="刘桂兰", sex="female", number=citizen_id(sex="2", seed=3),
                                    phone="13900002222"), P2),
        ("POST", "Encounter", _encounter(P1, scenario.clinic_a), None),
        ("POST", "Observation", blood_pressure(P1), None),
        ("POST", "Observation", blood_pressure(P2, systolic=80, diastolic=120), None),  # diastolic above systolic
    )
    response = his.post("/fhir/", bundle)
    assert response.status_code == 422
    outcome = assert_valid(body(response))
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[4].resource.diastolic"]
    assert not Resident.objects.exists()
    assert not Encounter.objects.exists() and not Measurement.objects.exists()
    assert not EncounterRollup.objects.exists()
    assert _changes() == before


def test_the_same_bundle_fixed_commits_everything_and_answers_per_entry(scenario, fhir, icd):
    his = fhir(scenario.village_doctor_a)
    bundle = transaction(
        ("POST", "Observation", blood_pressure(P1), None),  # refers to a patient created later in the bundle
        ("POST", "Patient", patient(scenario), P1),
        ("POST", "Encounter", _encounter(P1, scenario.clinic_a), None),
        ("GET", "Patient?name=黄", None, None),
    )
    response = his.post("/fhir/", bundle)
    assert response.status_code == 200, response.content
    answer = assert_valid(body(response))
    assert answer["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses == ["201 Created", "201 Created", "201 Created", "200 OK"]
    resident = Resident.objects.get()
    assert answer["entry"][1]["response"]["location"] == f"Patient/{resident.pk}"
    assert Measurement.objects.get().resident == resident and Encounter.objects.get().resident == resident
    assert answer["entry"][3]["resource"]["total"] == 1


def test_a_duplicate_in_the_middle_rolls_back_and_answers_409(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    number = citizen_id()
    assert his.post("/fhir/Patient", patient(scenario, number=number)).status_code == 201
    bundle = transaction(
        ("POST", "Patient", patient(scenario, name="新人", number=citizen_id(seed=5), phone="13900005555"), P2),
        ("POST", "Patient", patient(scenario, number=number), P1),
        ("POST", "Observation", blood_pressure(P2), None),
    )
    response = his.post("/fhir/", bundle)
    assert response.status_code == 409
    assert Resident.objects.count() == 1 and not Measurement.objects.exists()


def test_bundles_that_are_not_transactions_or_not_bundles(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    batch = transaction(("POST", "Patient", patient(scenario), None))
    batch["type"] = "batch"
    assert his.post("/fhir/", batch).status_code == 400
    assert his.post("/fhir/", patient(scenario)).status_code == 400
    delete = transaction(("DELETE", "Patient/1", None, None))
    assert his.post("/fhir/", delete).status_code == 400
    unknown = transaction(("POST", "Medication", {"resourceType": "Medication"}, None))
    assert his.post("/fhir/", unknown).status_code == 404
    assert not Resident.objects.exists()


def test_an_update_and_a_read_in_a_transaction(scenario, fhir):
    his = fhir(scenario.village_doctor_a)
    created = body(his.post("/fhir/Patient", patient(scenario)))
    changed = dict(created, telecom=[{"system": "phone", "value": "13700001234"}])
    bundle = transaction(("PUT", f"Patient/{created['id']}", changed, None),
                         ("GET", f"Patient/{created['id']}", None, None))
    bundle["entry"][0]["request"]["ifMatch"] = 'W/"1"'
    response = his.post("/fhir/", bundle)
    assert response.status_code == 200, response.content
    answer = assert_valid(body(response))
    assert answer["entry"][1]["resource"]["telecom"][0]["value"] == "13700001234"
    stale = his.post("/fhir/", bundle)
    assert stale.status_code == 412
    assert Resident.objects.get().version == 2
