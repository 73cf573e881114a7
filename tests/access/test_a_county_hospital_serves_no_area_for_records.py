"""A county hospital's service area is not "the whole county" for clinical records (design: Access); a
seconded doctor sees the union of the areas of every institution where they hold a clinical role."""
from yigongti.org import actions
from yigongti.org.models import User
from yigongti.org.scoping import area_scope


def test_a_county_hospital_serves_no_area_even_when_configured(scenario):
    scenario.county_hospital.service_areas.add(scenario.county)
    assert area_scope(User.objects.get(pk=scenario.county_specialist.pk)).area_ids == frozenset()


def test_a_seconded_doctor_sees_the_union_of_their_institutions(scenario):
    actions.add_membership(scenario.system_admin, user=scenario.village_doctor_a, institution=scenario.clinic_c,
                           roles=["village_doctor"])
    scope = area_scope(User.objects.get(pk=scenario.village_doctor_a.pk))
    assert scope.area_ids == {scenario.village_a.pk, scenario.village_c.pk}


def test_the_cdc_serves_the_county_for_public_health(scenario):
    actions.create_staff(scenario.system_admin, institution=scenario.cdc, username="cdc-ph", full_name="疾控甲",
                         password="x" * 12, roles=["public_health"], validate=False)
    scope = area_scope(User.objects.get(username="cdc-ph"))
    assert {scenario.county.pk, scenario.village_c.pk} <= scope.area_ids and not scope.all


def test_an_administrator_sees_no_resident_with_an_encounter_at_their_institution(scenario):
    """The three separated administrators see no resident record, even one treated at their institution."""
    import datetime as dt

    from tests.people.conftest import register
    from yigongti.people.models import Encounter
    from yigongti.people.queries import visible_residents

    resident = register(scenario)
    Encounter.objects.create(resident=resident, institution=scenario.county_hospital, kind="outpatient",
                             visit_date=dt.date(2026, 3, 1), primary_diagnosis="I10.x00")
    for admin in (scenario.system_admin, scenario.security_admin, scenario.audit_admin):
        assert not visible_residents(admin).filter(pk=resident.pk).exists()
    assert visible_residents(scenario.county_specialist).filter(pk=resident.pk).exists()
