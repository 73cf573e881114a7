"""Family-doctor teams as CareTeam: members with their role and institution; a resident's team by patient."""
import datetime as dt

import pytest

from yigongti.fhir import registry

from .conftest import assert_valid, body, patient

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(registry.get("CareTeam") is None, reason="the familydoctor app has no queries yet")]


def _team(scenario):
    from yigongti.familydoctor import actions

    team = actions.create_team(None, institution=scenario.centre_1, name="东湖一队", leader=scenario.township_doctor,
                               areas=[scenario.village_a])
    actions.add_member(None, team, user=scenario.village_doctor_a, institution=scenario.clinic_a,
                       role="village_doctor")
    return team


def test_a_team_with_its_members(scenario, fhir):
    team = _team(scenario)
    client = fhir(scenario.village_doctor_a)
    care_team = assert_valid(body(client.get(f"/fhir/CareTeam/{team.pk}")))
    members = {(p["member"]["reference"], p["role"][0]["coding"][0]["code"], p["onBehalfOf"]["reference"])
               for p in care_team["participant"]}
    assert members == {(f"Practitioner/{scenario.township_doctor.pk}", "township_gp",
                        f"Organization/{scenario.centre_1.pk}"),
                       (f"Practitioner/{scenario.village_doctor_a.pk}", "village_doctor",
                        f"Organization/{scenario.clinic_a.pk}")}
    found = body(client.get("/fhir/CareTeam", {"participant": f"Practitioner/{scenario.village_doctor_a.pk}"}))
    assert [e["resource"]["id"] for e in found["entry"]] == [str(team.pk)]
    assert fhir(scenario.village_doctor_c).get(f"/fhir/CareTeam/{team.pk}").status_code == 404


def test_a_residents_team_by_contract(scenario, fhir):
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.models import Package
    from yigongti.people.models import Resident

    team = _team(scenario)
    pid = body(fhir(scenario.village_doctor_a).post("/fhir/Patient", patient(scenario)))["id"]
    package = Package.objects.first() or actions.save_package(None, code="BASIC", name="基础包", kind="basic")
    actions.sign_contract(scenario.village_doctor_a, resident=Resident.objects.get(pk=pid), team=team,
                          doctor=scenario.village_doctor_a, packages=[package], institution=scenario.clinic_a,
                          start_date=dt.date(2026, 11, 1))
    found = assert_valid(body(fhir(scenario.village_doctor_a).get("/fhir/CareTeam", {"patient": pid})))
    assert [e["resource"]["id"] for e in found["entry"]] == [str(team.pk)]
    assert body(fhir(scenario.village_doctor_c).get("/fhir/CareTeam", {"patient": pid}))["total"] == 0
