"""Encounter and Condition over FHIR: a HIS pushes an encounter (ingest, idempotent on its number), the
indicator rollups follow, diagnoses come back as Conditions; a clinic on this platform records one."""
import datetime as dt

import pytest
from django.utils import timezone

from yigongti.kpi.models import EncounterRollup
from yigongti.org.models import ClinicalSystem, Institution
from yigongti.people.models import Encounter

from .conftest import SID, assert_valid, body, patient

pytestmark = pytest.mark.django_db
ICD = "https://fhir.yigongti.local/CodeSystem/icd-10-cn"


def _resident_id(fhir, scenario, user=None):
    response = fhir(user or scenario.village_doctor_a).post("/fhir/Patient", patient(scenario))
    assert response.status_code == 201, response.content
    return body(response)["id"]


def _by_citizen_id(pid):
    from yigongti.people import crypto
    from yigongti.people.models import Resident

    number = crypto.decrypt(Resident.objects.get(pk=pid).document_number_enc)
    return f"Patient?identifier={SID}cn-citizen-id|{number}"


def encounter(patient_id, org, *, number="HIS-0001", klass="AMB", start="2026-11-02", end=None, codes=("I10.x00",),
              total="120.50", drug="60.00"):
    resource = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": klass},
        "subject": {"reference": patient_id if str(patient_id).startswith("Patient?") else f"Patient/{patient_id}"},
        "period": {"start": start, **({"end": end} if end else {})},
        "reasonCode": [{"coding": [{"system": ICD, "code": c}]} for c in codes],
        "serviceProvider": {"reference": f"Organization/{org.pk}"},
        "extension": [{"url": "https://fhir.yigongti.local/StructureDefinition/encounter-costs", "extension": [
            {"url": "totalCost", "valueMoney": {"value": float(total), "currency": "CNY"}},
            {"url": "drugCost", "valueMoney": {"value": float(drug), "currency": "CNY"}}]}],
    }
    if number:
        resource["identifier"] = [{"system": SID + f"encounter/{org.code}", "value": number}]
    return resource


def test_a_his_encounter_is_ingested_once_and_counts_in_the_rollups(scenario, fhir, icd):
    Institution.objects.filter(pk=scenario.county_hospital.pk).update(clinical_system=ClinicalSystem.EXTERNAL_HIS)
    pid = _resident_id(fhir, scenario)
    his = fhir(scenario.county_specialist)
    # The hospital cannot see the resident yet: its HIS names the patient by citizen ID.
    assert his.get(f"/fhir/Patient/{pid}").status_code == 404
    by_id = _by_citizen_id(pid)
    first = his.post("/fhir/Encounter", encounter(by_id, scenario.county_hospital, codes=("I10.x00", "E11.900")))
    assert first.status_code == 201, first.content
    created = assert_valid(body(first))
    assert created["class"]["code"] == "AMB" and created["status"] == "finished"
    assert created["identifier"][0]["value"] == "HIS-0001"
    again = his.post("/fhir/Encounter", encounter(by_id, scenario.county_hospital, codes=("I10.x00", "E11.900")))
    assert again.status_code == 200 and body(again)["id"] == created["id"]
    assert Encounter.objects.count() == 1
    enc = Encounter.objects.get()
    assert (enc.source, enc.total_cost, enc.drug_cost, enc.other_diagnoses) == ("his", 120.5, 60, ["E11.900"])
    rollup = EncounterRollup.objects.get(institution=scenario.county_hospital)
    assert (rollup.visits, rollup.total_cost, rollup.drug_cost) == (1, 12050, 6000)

    # The specialist now has a care relationship (encounter at their hospital): reads and searches work.
    found = assert_valid(body(his.get("/fhir/Encounter", {"patient": pid, "date": "2026-11"})))
    assert found["total"] == 1
    assert body(his.get("/fhir/Encounter", {"patient": pid, "date": "lt2026-11-01"}))["total"] == 0
    conditions = assert_valid(body(his.get("/fhir/Condition", {"patient": pid})))
    assert [c["resource"]["code"]["coding"][0]["code"] for c in conditions["entry"]] == ["I10.x00", "E11.900"]
    assert conditions["entry"][0]["resource"]["code"]["coding"][0]["display"] == "原发性高血压"
    one = assert_valid(body(his.get(f"/fhir/Condition/enc-{enc.pk}-1")))
    assert one["encounter"]["reference"] == f"Encounter/{enc.pk}"
    assert body(his.get("/fhir/Condition", {"patient": pid, "code": "E11"}))["total"] == 1
    assert his.get("/fhir/Condition").status_code == 400  # a patient or an encounter is needed
    assert his.get(f"/fhir/Condition/enc-{enc.pk}-2").status_code == 404


def test_an_update_of_a_his_encounter_changes_costs(scenario, fhir, icd):
    Institution.objects.filter(pk=scenario.county_hospital.pk).update(clinical_system=ClinicalSystem.EXTERNAL_HIS)
    pid = _resident_id(fhir, scenario)
    his = fhir(scenario.county_specialist)
    created = body(his.post("/fhir/Encounter", encounter(_by_citizen_id(pid), scenario.county_hospital)))
    changed = encounter(pid, scenario.county_hospital, total="200")
    changed["id"] = created["id"]
    response = his.put(f"/fhir/Encounter/{created['id']}", changed)
    assert response.status_code == 200, response.content
    assert Encounter.objects.get().total_cost == 200
    rollup = EncounterRollup.objects.get(institution=scenario.county_hospital)
    assert (rollup.visits, rollup.total_cost) == (1, 20000)


def test_a_clinic_on_this_platform_records_and_edits_with_versions(scenario, fhir, icd):
    pid = _resident_id(fhir, scenario)
    clinic = fhir(scenario.village_doctor_a)
    response = clinic.post("/fhir/Encounter", encounter(pid, scenario.clinic_a, number=None, total="30", drug="10"))
    assert response.status_code == 201, response.content
    created = body(response)
    assert Encounter.objects.get().source == "yigongti" and response["ETag"] == 'W/"1"'
    changed = encounter(pid, scenario.clinic_a, number=None, total="35", drug="10")
    changed["id"] = created["id"]
    assert clinic.put(f"/fhir/Encounter/{created['id']}", changed, HTTP_IF_MATCH='W/"1"').status_code == 200
    assert clinic.put(f"/fhir/Encounter/{created['id']}", changed, HTTP_IF_MATCH='W/"1"').status_code == 412


def test_business_rules_of_the_encounter_action_apply(scenario, fhir, icd):
    pid = _resident_id(fhir, scenario)
    clinic = fhir(scenario.village_doctor_a)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = clinic.post("/fhir/Encounter", encounter(pid, scenario.clinic_a, number=None, start=future))
    assert response.status_code == 422 and body(response)["issue"][0]["expression"] == ["visit_date"]
    unknown = clinic.post("/fhir/Encounter", encounter(pid, scenario.clinic_a, number=None, codes=("Z99.999",)))
    assert unknown.status_code == 422
    costs = clinic.post("/fhir/Encounter", encounter(pid, scenario.clinic_a, number=None, total="10", drug="20"))
    assert costs.status_code == 422
    # A clinic on this platform is not a HIS; a hospital whose clinical system is a HIS cannot type encounters.
    Institution.objects.filter(pk=scenario.county_hospital.pk).update(clinical_system=ClinicalSystem.EXTERNAL_HIS)
    typed = fhir(scenario.county_specialist).post("/fhir/Encounter",
                                                  encounter(_by_citizen_id(pid), scenario.county_hospital, number=None))
    assert typed.status_code == 422
    assert Encounter.objects.count() == 0


def test_an_encounter_for_a_patient_one_may_not_see_is_refused(scenario, fhir, icd):
    pid = _resident_id(fhir, scenario)
    response = fhir(scenario.village_doctor_b).post("/fhir/Encounter",
                                                    encounter(pid, scenario.clinic_b, number=None))
    assert response.status_code == 422 and body(response)["issue"][0]["code"] == "not-found"
    # Staff who act for no institution cannot find residents by identifier either.
    response = fhir(scenario.audit_admin).post("/fhir/Encounter", encounter(_by_citizen_id(pid), scenario.clinic_b))
    assert response.status_code == 422
    assert fhir(scenario.village_doctor_b).post("/fhir/Encounter", encounter(
        "Patient?identifier=https://fhir.yigongti.local/sid/cn-citizen-id|360199000000000000", scenario.clinic_b,
        number=None)).status_code == 422
    assert Encounter.objects.count() == 0
