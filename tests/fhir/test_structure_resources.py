"""Organization, Practitioner and PractitionerRole: the structure, readable by every signed-in user."""
import pytest

from .conftest import assert_valid, body

pytestmark = pytest.mark.django_db


def test_organizations_with_part_of(scenario, fhir):
    client = fhir(scenario.village_doctor_b)
    clinic = assert_valid(body(client.get(f"/fhir/Organization/{scenario.clinic_a.pk}")))
    assert clinic["name"] == "桃源村卫生室"
    assert clinic["partOf"]["reference"] == f"Organization/{scenario.centre_1.pk}"
    assert clinic["identifier"][0]["value"] == "V001"
    children = body(client.get("/fhir/Organization", {"partof": f"Organization/{scenario.centre_1.pk}"}))
    assert {e["resource"]["name"] for e in children["entry"]} == {"桃源村卫生室", "柳林村卫生室"}
    assert body(client.get("/fhir/Organization", {"identifier": "H001"}))["entry"][0]["resource"]["name"] == \
        "示范县人民医院"
    assert body(client.get("/fhir/Organization", {"type": "village_clinic"}))["total"] == 3
    assert body(client.get("/fhir/Organization", {"name": "东湖"}))["total"] == 1


def test_practitioners_and_their_roles_leave_the_administrators_out(scenario, fhir):
    client = fhir(scenario.village_doctor_b)
    doctor = assert_valid(body(client.get(f"/fhir/Practitioner/{scenario.township_doctor.pk}")))
    assert doctor["name"][0]["text"] == "李乡医"
    assert "telecom" not in doctor
    assert client.get(f"/fhir/Practitioner/{scenario.system_admin.pk}").status_code == 404
    roles = body(client.get("/fhir/PractitionerRole", {"practitioner": scenario.mental_health_doctor.pk}))
    role = assert_valid(roles["entry"][0]["resource"])
    assert role["organization"]["reference"] == f"Organization/{scenario.centre_1.pk}"
    assert {c["coding"][0]["code"] for c in role["code"]} == {"township_doctor", "mental_health"}
    assert body(client.get("/fhir/PractitionerRole", {"organization": scenario.clinic_a.pk}))["total"] == 1
    assert body(client.get("/fhir/Practitioner", {"name": "李"}))["total"] == 1
    assert body(client.get("/fhir/Practitioner", {"identifier": "township-doctor"}))["total"] == 1
    assert fhir().get("/fhir/Practitioner").status_code == 401
