"""The issue's "Done when", as one path: an integrator reads /fhir/metadata, pushes a patient with a blood
pressure of 150/95 in one transaction, sees the resident appear with the reading screened, searches it back,
and the county's data is exported."""
import pytest

from yigongti.audit.models import AuditEntry
from yigongti.jobs.queue import run_pending
from yigongti.people import timeline
from yigongti.people.models import Measurement, Resident

from .conftest import SID, assert_valid, blood_pressure, body, patient, transaction


def _screening_handler():
    from yigongti import events

    return [r for r in events.reactions() if r.event is events.VitalsRecorded and r.app == "chronic"]


@pytest.mark.django_db
def test_metadata_push_screen_search_export(scenario, fhir, published, media):
    anonymous = fhir()
    meta = anonymous.get("/fhir/metadata")
    assert meta.status_code == 200 and meta["Content-Type"].startswith("application/fhir+json")
    statement = assert_valid(body(meta))
    assert statement["fhirVersion"] == "4.0.1"
    patient_caps = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert {"read", "search-type", "create", "update"} <= {i["code"] for i in patient_caps["interaction"]}

    his = fhir(scenario.village_doctor_a)
    resource = patient(scenario)
    number = resource["identifier"][0]["value"]
    pushed = his.post("/fhir/", transaction(
        ("POST", "Patient", resource, "urn:uuid:4b1b7c2e-0000-4000-8000-000000000001"),
        ("POST", "Observation", blood_pressure("urn:uuid:4b1b7c2e-0000-4000-8000-000000000001"), None)))
    assert pushed.status_code == 200, pushed.content
    answer = assert_valid(body(pushed))
    assert [e["response"]["status"] for e in answer["entry"]] == ["201 Created", "201 Created"]

    # The resident appears in the record, registered through people.actions (record number, audit).
    resident = Resident.objects.get(name="黄建国")
    assert resident.record_number and resident.record_number.startswith("360199100201")
    assert resident.managing_institution == scenario.clinic_a
    m = Measurement.objects.get(resident=resident)
    assert (m.systolic, m.diastolic, m.source) == (150, 95, "fhir")
    assert any(e.kind == "measurement" and "150/95" in e.title for e in timeline.entries(resident, scenario.village_doctor_a))
    assert AuditEntry.objects.filter(object_type="people.Resident", object_id=str(resident.pk), action="create",
                                     channel="fhir").exists()
    # Screening: the reading was published as VitalsRecorded (the chronic app's handler screens it).
    from yigongti import events

    vitals = [e for e in published if isinstance(e, events.VitalsRecorded)]
    assert [(v.resident_id, v.systolic, v.diastolic, v.source) for v in vitals] == [
        (resident.pk, 150, 95, "measurement")]
    if _screening_handler():  # the chronic app's screening ran in the same transaction: a re-check is due
        from django.apps import apps

        flag = apps.get_model("chronic", "ScreeningFlag").objects.get(resident_id=resident.pk)
        assert (flag.condition, flag.action, flag.status) == ("hypertension", "recheck", "open")

    # Searched back by citizen ID and the reading by patient and code.
    found = body(his.get("/fhir/Patient", {"identifier": f"{SID}cn-citizen-id|{number}"}))
    assert_valid(found)
    assert found["total"] == 1 and found["entry"][0]["resource"]["id"] == str(resident.pk)
    observations = assert_valid(body(his.get("/fhir/Observation", {"patient": f"Patient/{resident.pk}",
                                                                    "code": "http://loinc.org|85354-9"})))
    assert observations["total"] == 1
    components = observations["entry"][0]["resource"]["component"]
    assert [c["valueQuantity"]["value"] for c in components] == [150, 95]

    # A referral of this patient to the county hospital: the hospital's system follows its Task.
    from yigongti.fhir import registry

    if registry.get("Task") is not None:
        from tests.referrals import helpers
        from yigongti.referrals import actions as referral_actions

        helpers.icd()
        referral = helpers.submitted(scenario, patient=resident)
        hospital = fhir(scenario.county_specialist)
        inbox = assert_valid(body(hospital.get("/fhir/Task", {
            "owner": f"Organization/{scenario.county_hospital.pk}", "status": "requested"})))
        assert [e["resource"]["for"]["reference"] for e in inbox["entry"]] == [f"Patient/{resident.pk}"]
        referral_actions.accept_referral(scenario.county_specialist, referral)
        assert body(hospital.get(f"/fhir/Task/{referral.pk}"))["status"] == "accepted"

    # The county's data, exported by the health bureau as a job.
    bureau = fhir(scenario.health_bureau)
    kick = bureau.get("/fhir/$export", {"_type": "Patient,Observation"}, HTTP_PREFER="respond-async",
                      HTTP_X_PURPOSE="区域卫生统计")
    assert kick.status_code == 202
    status_url = kick["Content-Location"]
    assert bureau.get(status_url).status_code == 202
    assert run_pending() == 1
    done = bureau.get(status_url)
    assert done.status_code == 200
    manifest = body(done)
    files = {o["type"]: o["url"] for o in manifest["output"]}
    ndjson = b"".join(bureau.get(files["Patient"]).streaming_content).decode()
    assert number in ndjson and "黄建国" in ndjson
    assert AuditEntry.objects.filter(action="export", object_type="fhir.Patient", user=scenario.health_bureau).exists()
    # Someone else cannot follow the status URL or download the files.
    other = fhir(scenario.consortium_office)
    assert other.get(status_url).status_code == 404
    assert other.get(files["Patient"]).status_code == 404
