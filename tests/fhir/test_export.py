"""$export: kick-off, status, NDJSON download of the user's scope, run as a job, audited as an export."""
import json

import pytest

from yigongti.audit.models import AuditEntry
from yigongti.jobs.models import Job
from yigongti.jobs.queue import run_pending

from .conftest import assert_valid, blood_pressure, body, citizen_id, patient

pytestmark = pytest.mark.django_db


def _export(client, path="/fhir/$export", **params):
    kick = client.get(path, {"purpose": "区域卫生统计", **params}, HTTP_PREFER="respond-async")
    assert kick.status_code == 202, kick.content
    assert_valid(body(kick))
    status = kick["Content-Location"]
    pending = client.get(status)
    assert pending.status_code == 202 and "X-Progress" in pending
    run_pending()
    done = client.get(status)
    assert done.status_code == 200 and done["Content-Type"] == "application/json"
    manifest = json.loads(done.content)
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    files = {}
    for output in manifest["output"]:
        response = client.get(output["url"])
        assert response["Content-Type"] == "application/fhir+ndjson"
        files[output["type"]] = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    return files


def test_each_user_exports_their_own_scope(scenario, fhir, media):
    a = fhir(scenario.village_doctor_a)
    pid = body(a.post("/fhir/Patient", patient(scenario)))["id"]
    a.post("/fhir/Observation", blood_pressure(f"Patient/{pid}"))
    c = fhir(scenario.village_doctor_c)
    other = body(c.post("/fhir/Patient", patient(scenario, name="石门人", number=citizen_id(seed=11),
                                                 area=scenario.village_c, org=scenario.clinic_c,
                                                 phone="13900004444")))["id"]
    mine = _export(a, _type="Patient,Observation")
    assert [p["id"] for p in mine["Patient"]] == [pid]
    assert len(mine["Observation"]) == 1
    theirs = _export(c, "/fhir/Patient/$export")
    assert [p["id"] for p in theirs["Patient"]] == [other]
    from yigongti.fhir import registry

    assert set(theirs) == {k.type for k in registry.kinds() if k.patient_compartment}
    assert {"Patient", "Encounter", "Condition", "Observation"} <= set(theirs)
    county = _export(fhir(scenario.health_bureau), _type="Patient")
    assert {p["id"] for p in county["Patient"]} == {pid, other}
    entries = AuditEntry.objects.filter(action="export", object_type="fhir.Patient")
    assert sorted((e.username, e.changes["rows"]) for e in entries) == [
        ("health-bureau", 2), ("village-doctor-a", 1), ("village-doctor-c", 1)]
    assert all(e.channel == "job" for e in entries)


def test_bad_kick_offs(scenario, fhir):
    client = fhir(scenario.village_doctor_a)
    assert client.get("/fhir/$export", {"_type": "Medication", "purpose": "p"}).status_code == 400
    assert client.get("/fhir/Patient/$export", {"_type": "Organization", "purpose": "p"}).status_code == 400
    assert client.get("/fhir/$export", {"_outputFormat": "text/csv", "purpose": "p"}).status_code == 400
    assert client.get("/fhir/$export").status_code == 400  # no purpose (issue 16)
    assert fhir().get("/fhir/$export").status_code == 401
    assert not Job.objects.exists()


def test_status_and_files_belong_to_whoever_asked(scenario, fhir, media):
    mine = fhir(scenario.village_doctor_a)
    status = mine.get("/fhir/$export", {"_type": "Organization", "purpose": "p"})["Content-Location"]
    job = Job.objects.get()
    run_pending()
    assert mine.get(status).status_code == 200
    outsider = fhir(scenario.village_doctor_b)
    assert outsider.get(status).status_code == 404
    assert outsider.get(f"/fhir/$export-file/{job.pk}/Organization.ndjson").status_code == 404
    assert mine.get(f"/fhir/$export-file/{job.pk}/Patient.ndjson").status_code == 404  # not part of this export
    assert mine.get("/fhir/$export-status/999999").status_code == 404
