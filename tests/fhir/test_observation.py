"""Observation over FHIR: vitals of exams, encounters and standalone measurements as one searchable list;
pushed Observations become measurements (VitalsRecorded → screening); corrections; units."""
import datetime as dt

import pytest

from yigongti import events
from yigongti.people import actions
from yigongti.people.models import Measurement

from .conftest import LOINC, assert_valid, blood_pressure, body, patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(scenario, fhir):
    response = fhir(scenario.village_doctor_a).post("/fhir/Patient", patient(scenario))
    from yigongti.people.models import Resident

    return Resident.objects.get(pk=body(response)["id"])


def _value(code, value, unit, when="2026-11-21T08:00:00+08:00", subject="Patient/1"):
    return {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": LOINC, "code": code}]},
            "subject": {"reference": subject}, "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}


def test_exam_encounter_and_measurement_vitals_are_one_list(scenario, fhir, resident, icd):
    doctor = scenario.village_doctor_a
    exam = actions.record_exam(doctor, institution=scenario.clinic_a, resident=resident, exam_date=dt.date(2026, 10, 1),
                               systolic_left=138, diastolic_left=88, height=170, weight=72, pulse=76,
                               fasting_glucose="6.1")
    enc = actions.record_encounter(doctor, institution=scenario.clinic_a, resident=resident, kind="outpatient",
                                   visit_date=dt.date(2026, 11, 1), primary_diagnosis="I10.x00", total_cost="20",
                                   systolic=145, diastolic=92)
    client = fhir(doctor)
    assert client.post("/fhir/Observation", blood_pressure(f"Patient/{resident.pk}")).status_code == 201
    everything = assert_valid(body(client.get("/fhir/Observation", {"patient": resident.pk})))
    ids = [e["resource"]["id"] for e in everything["entry"]]
    m = Measurement.objects.get()
    assert everything["total"] == 8
    assert ids[:2] == [f"m-{m.pk}", f"enc-{enc.pk}-bp"]
    assert set(ids[2:]) == {f"exam-{exam.pk}-{k}" for k in ("bp", "glu", "wt", "ht", "bmi", "hr")}
    for entry in everything["entry"]:
        assert_valid(entry["resource"])
    bp = body(client.get("/fhir/Observation", {"patient": resident.pk, "code": "8480-6", "_count": 2}))
    assert bp["total"] == 3 and len(bp["entry"]) == 2
    nxt = next(link["url"] for link in bp["link"] if link["relation"] == "next")
    assert [e["resource"]["id"] for e in body(client.get(nxt))["entry"]] == [f"exam-{exam.pk}-bp"]
    october = body(client.get("/fhir/Observation", {"patient": resident.pk, "date": "2026-10"}))
    assert october["total"] == 6
    bmi = body(client.get(f"/fhir/Observation/exam-{exam.pk}-bmi"))
    assert bmi["valueQuantity"] == {"value": 24.9, "unit": "kg/m2", "system": "http://unitsofmeasure.org",
                                    "code": "kg/m2"}
    labs = body(client.get("/fhir/Observation", {"patient": resident.pk, "category": "laboratory"}))
    assert labs["total"] == 1
    assert body(client.get("/fhir/Observation", {"encounter": f"Encounter/{enc.pk}"}))["total"] == 1
    assert client.get(f"/fhir/Observation/exam-{exam.pk}-xx").status_code == 404
    assert fhir(scenario.village_doctor_b).get(f"/fhir/Observation/exam-{exam.pk}-bp").status_code == 404


def test_a_pushed_glucose_is_published_for_screening_and_mg_dl_is_converted(scenario, fhir, resident, published):
    client = fhir(scenario.village_doctor_a)
    response = client.post("/fhir/Observation", _value("1558-6", 126, "mg/dL", subject=f"Patient/{resident.pk}"))
    assert response.status_code == 201, response.content
    created = assert_valid(body(response))
    assert created["valueQuantity"]["value"] == 7 and created["valueQuantity"]["unit"] == "mmol/L"
    vitals = [e for e in published if isinstance(e, events.VitalsRecorded)]
    assert [(v.fasting_glucose, v.systolic, v.source) for v in vitals] == [(7.0, None, "measurement")]


def test_an_observation_with_an_identifier_is_recorded_once(scenario, fhir, resident):
    client = fhir(scenario.village_doctor_a)
    obs = blood_pressure(f"Patient/{resident.pk}", identifier="BP-77")
    assert client.post("/fhir/Observation", obs).status_code == 201
    again = client.post("/fhir/Observation", obs)
    assert again.status_code == 200
    assert Measurement.objects.count() == 1
    assert body(again)["identifier"][0]["value"] == "BP-77"


def test_corrections_and_what_cannot_be_corrected_here(scenario, fhir, resident, published):
    client = fhir(scenario.village_doctor_a)
    created = body(client.post("/fhir/Observation", blood_pressure(f"Patient/{resident.pk}")))
    corrected = blood_pressure(f"Patient/{resident.pk}", systolic=142, diastolic=90)
    corrected["id"] = created["id"]
    response = client.put(f"/fhir/Observation/{created['id']}", corrected)
    assert response.status_code == 200, response.content
    assert Measurement.objects.get().systolic == 142
    assert [e.systolic for e in published if isinstance(e, events.VitalsRecorded)] == [150, 142]
    exam = actions.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=resident,
                               exam_date=dt.date(2026, 10, 1), weight=70)
    derived = _value("29463-7", 71, "kg", subject=f"Patient/{resident.pk}")
    derived["id"] = f"exam-{exam.pk}-wt"
    assert client.put(f"/fhir/Observation/exam-{exam.pk}-wt", derived).status_code == 405


@pytest.mark.parametrize(("resource_change", "status"), [
    ({"code": {"coding": [{"system": LOINC, "code": "2345-7"}]}}, 422),  # unsupported code
    ({"status": "registered"}, 422),
    ({"effectiveDateTime": "2099-01-01T00:00:00+08:00"}, 422),
    ({"component": [{"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                     "valueQuantity": {"value": 150, "code": "mm[Hg]"}}]}, 422),  # diastolic missing
    ({"subject": {"reference": "Patient/999999"}}, 422),
    ({"subject": {"reference": "Group/1"}}, 422),
    ({"valueString": 3}, 400),  # not even a valid resource
])
def test_bad_observations_change_nothing(scenario, fhir, resident, resource_change, status):
    obs = blood_pressure(f"Patient/{resident.pk}")
    obs.update(resource_change)
    response = fhir(scenario.village_doctor_a).post("/fhir/Observation", obs)
    assert response.status_code == status, response.content
    assert_valid(body(response))
    assert not Measurement.objects.exists()


def test_weight_in_the_wrong_unit_is_refused(scenario, fhir, resident):
    response = fhir(scenario.village_doctor_a).post("/fhir/Observation",
                                                    _value("29463-7", 140, "[lb_av]", subject=f"Patient/{resident.pk}"))
    assert response.status_code == 422
