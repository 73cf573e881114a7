"""The CapabilityStatement tells the truth: every resource kind and interaction it advertises answers, every
search parameter it lists is accepted (strict handling), and every resource the server emits — by read,
search and $export — validates against the independent fhir.resources R4B models."""
import datetime as dt
import json

import pytest
from django.urls import NoReverseMatch, reverse

from yigongti.jobs.queue import run_pending
from yigongti.people import actions

from .conftest import assert_valid, blood_pressure, body, patient

pytestmark = pytest.mark.django_db
SAMPLE = {"_id": "1", "identifier": "x", "name": "a", "birthdate": "2000", "gender": "male", "organization": "1",
          "patient": "1", "subject": "1", "date": "2026", "code": "x", "category": "vital-signs", "encounter": "1",
          "partof": "1", "type": "x", "active": "true", "practitioner": "1", "role": "x", "class": "AMB",
          "status": "active", "owner": "1", "requester": "1", "requester-organization": "1", "based-on": "1",
          "performer": "1", "focus": "1", "participant": "1", "authored": "ge2026-01-01"}


@pytest.fixture
def world(scenario, fhir, icd):
    doctor = scenario.village_doctor_a
    pid = body(fhir(doctor).post("/fhir/Patient", patient(scenario)))["id"]
    fhir(doctor).post("/fhir/Observation", blood_pressure(f"Patient/{pid}"))
    from yigongti.people.models import Resident

    resident = Resident.objects.get(pk=pid)
    actions.record_exam(doctor, institution=scenario.clinic_a, resident=resident, exam_date=dt.date(2026, 10, 1),
                        systolic_left=130, diastolic_left=80, height=170, weight=70, pulse=70, fasting_glucose="5.2")
    actions.record_encounter(doctor, institution=scenario.clinic_a, resident=resident, kind="inpatient",
                             visit_date=dt.date(2026, 11, 1), primary_diagnosis="I10.x00",
                             other_diagnoses=["E11.900"], total_cost="800", systolic=150, diastolic=90)
    from yigongti.fhir import registry

    if registry.get("CarePlan") is not None:
        from tests.chronic import helpers as chronic

        chronic.icd()
        enrolment = chronic.enrolment(scenario, patient=resident)
        chronic.followup(scenario, enrolment, visit_date=dt.date(2026, 11, 20))
    if registry.get("CareTeam") is not None:
        from yigongti.familydoctor import actions as fd

        fd.create_team(None, institution=scenario.centre_1, name="东湖一队", leader=scenario.township_doctor,
                       areas=[scenario.village_a])
    if registry.get("Task") is not None:
        from tests.referrals import helpers

        helpers.icd()
        helpers.submitted(scenario, patient=resident)
    if registry.get("DiagnosticReport") is not None:
        from tests.diagnostics import helpers as dx
        from yigongti.diagnostics import actions as dx_actions

        dx.published(scenario, "LAB-CBC", patient=resident)  # DiagnosticReport + lab Observations
        ct = dx.request(scenario, "CT-HEAD", patient=resident)
        dx_actions.attach_study(doctor, ct, filename="head.dcm", content=dx.dicom("CT"))  # ImagingStudy
    return scenario


def test_metadata_is_valid_and_generated_from_what_exists(world, fhir):
    statement = assert_valid(body(fhir().get("/fhir/metadata")))
    assert body(fhir().get("/fhir/"))["resourceType"] == "CapabilityStatement"
    rest = statement["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"transaction"}
    assert [o["name"] for o in rest["operation"]] == ["export"]
    for resource in rest["resource"]:
        reverse(f"fhir:{resource['type']}-type")
        reverse(f"fhir:{resource['type']}-instance", kwargs={"resource_id": "1"})
    with pytest.raises(NoReverseMatch):
        reverse("fhir:Medication-type")


def test_every_advertised_interaction_answers_and_every_emitted_resource_is_valid(world, fhir):
    s = world
    doctor = fhir(s.village_doctor_a)
    rest = body(doctor.get("/fhir/metadata"))["rest"][0]
    # a patient of the world (ids are not 1 on PostgreSQL, whose sequences run on between tests)
    from yigongti.people.models import Encounter

    patient = str(Encounter.objects.exclude(primary_diagnosis="").order_by("pk").values_list("resident_id", flat=True)[0])
    emitted: dict[str, int] = {}
    for resource in rest["resource"]:
        kind = resource["type"]
        interactions = {i["code"] for i in resource["interaction"]}
        assert {"read", "search-type"} <= interactions
        for param in resource["searchParam"]:
            response = doctor.get(f"/fhir/{kind}", {param["name"]: SAMPLE[param["name"]],
                                                   **({"patient": patient} if kind == "Condition" else {})},
                                  HTTP_PREFER="handling=strict")
            assert response.status_code == 200, (kind, param["name"], response.content)
            assert_valid(body(response))
        params = {"patient": f"Patient/{patient}"} if kind == "Condition" else {}
        found = body(doctor.get(f"/fhir/{kind}", {**params, "_count": 50}))
        assert_valid(found)
        assert found["entry"], f"nothing to show for {kind}"
        for entry in found["entry"]:
            assert_valid(entry["resource"])
            read = doctor.get(f"/fhir/{kind}/{entry['resource']['id']}")
            assert read.status_code == 200, (kind, read.content)
            assert_valid(body(read))
            emitted[kind] = emitted.get(kind, 0) + 1
        # create and update are tested resource by resource (test_patient, test_encounter_…, test_observation)
        assert interactions - {"read", "search-type"} <= {"create", "update"}
    assert set(emitted) == {r["type"] for r in rest["resource"]}


def test_every_exported_resource_is_valid(world, fhir, media):
    bureau = fhir(world.consortium_office)
    status = bureau.get("/fhir/$export", {"purpose": "互联互通测评"})["Content-Location"]
    run_pending()
    manifest = body(bureau.get(status))
    kinds = set()
    for output in manifest["output"]:
        content = b"".join(bureau.get(output["url"]).streaming_content).decode()
        lines = [line for line in content.splitlines() if line]
        assert len(lines) == output["count"]
        for line in lines:
            resource = assert_valid(json.loads(line))
            assert resource["resourceType"] == output["type"]
            kinds.add(output["type"])
    advertised = {r["type"] for r in body(bureau.get("/fhir/metadata"))["rest"][0]["resource"]}
    assert kinds == advertised
