"""Who sees and writes what (design: Access), with the scenario's named users."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from yigongti.audit.models import AuditEntry
from yigongti.people import actions
from yigongti.people.queries import get_resident_for, visible_encounters, visible_residents

from .conftest import register


def test_a_village_doctor_of_b_cannot_read_a_resident_of_a(scenario, client):
    r = register(scenario)
    assert not visible_residents(scenario.village_doctor_b).filter(pk=r.pk).exists()
    with pytest.raises(Http404):
        get_resident_for(scenario.village_doctor_b, r.pk)
    client.force_login(scenario.village_doctor_b)
    assert client.get(f"/people/{r.pk}/").status_code == 404
    assert client.get(f"/api/v1/residents/{r.pk}/").status_code == 404
    assert client.get("/api/v1/residents/").json()["count"] == 0


def test_the_township_and_the_office_see_the_village_but_the_other_township_does_not(scenario):
    r = register(scenario)
    assert visible_residents(scenario.township_doctor).filter(pk=r.pk).exists()
    assert visible_residents(scenario.consortium_office).filter(pk=r.pk).exists()
    assert not visible_residents(scenario.other_township_doctor).filter(pk=r.pk).exists()
    assert not visible_residents(scenario.system_admin).filter(pk=r.pk).exists()


def test_a_county_specialist_sees_a_resident_after_an_encounter_at_the_hospital(scenario, icd):
    r = register(scenario)
    assert not visible_residents(scenario.county_specialist).filter(pk=r.pk).exists()
    actions.ingest_encounter(None, institution=scenario.county_hospital, external_id="MZ1", resident=r,
                             kind="outpatient", visit_date=dt.date(2025, 1, 1), primary_diagnosis="I10.x00")
    assert visible_residents(scenario.county_specialist).filter(pk=r.pk).exists()
    get_resident_for(scenario.county_specialist, r.pk)
    entry = AuditEntry.objects.filter(action="read", object_id=str(r.pk)).latest("pk")
    assert entry.reason == "relationship:encounter"
    assert visible_encounters(scenario.county_specialist).count() == 1
    assert visible_encounters(scenario.other_township_doctor).count() == 0


def test_sensitive_records_need_the_programme_role(scenario):
    r = register(scenario)
    with pytest.raises(PermissionDenied):
        actions.add_tag(scenario.village_doctor_a, r, "mental")
    actions.add_tag(None, r, "mental")
    assert not visible_residents(scenario.township_doctor).filter(pk=r.pk).exists()
    assert visible_residents(scenario.mental_health_doctor).filter(pk=r.pk).exists()


def test_reading_a_record_is_audited_with_the_reason(scenario):
    r = register(scenario)
    get_resident_for(scenario.township_doctor, r.pk)
    entry = AuditEntry.objects.filter(action="read", object_id=str(r.pk)).get()
    assert entry.reason == "area" and entry.user_id == scenario.township_doctor.pk


def test_a_village_doctor_of_b_cannot_record_an_encounter_in_clinic_as_name(scenario, icd, client):
    r = register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b, area=scenario.village_b)
    client.force_login(scenario.village_doctor_b)
    response = client.post("/api/v1/encounters/", {
        "resident": r.pk, "institution": scenario.clinic_a.pk, "kind": "outpatient", "visit_date": "2025-01-01",
        "primary_diagnosis": "I10.x00", "total_cost": "10"}, content_type="application/json")
    assert response.status_code == 400 and "institution" in response.json()["error"]["fields"]
