"""The access model: area subtree of the user's institutions, relationships, break-glass, sensitivity."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.org import scoping
from yigongti.org.models import Area
from yigongti.org.scoping import (
    access_reason,
    active_break_glass_resident_ids,
    area_scope,
    grant_break_glass,
    may_see_sensitive,
)


def test_a_village_doctor_sees_their_village_only(scenario):
    scope = area_scope(scenario.village_doctor_a)
    assert not scope.all and scope.area_ids == {scenario.village_a.pk}


def test_a_township_doctor_sees_the_township_subtree(scenario):
    scope = area_scope(scenario.township_doctor)
    assert scope.area_ids == {scenario.township_1.pk, scenario.village_a.pk, scenario.village_b.pk}
    assert scenario.village_c.pk not in scope.area_ids


def test_a_county_specialist_sees_no_area_by_default(scenario):
    assert area_scope(scenario.county_specialist).area_ids == frozenset()


def test_oversight_roles_see_the_county_and_administrators_nothing(scenario):
    assert area_scope(scenario.consortium_office).all and area_scope(scenario.health_bureau).all
    for admin in (scenario.system_admin, scenario.security_admin, scenario.audit_admin):
        scope = area_scope(admin)
        assert not scope.all and not scope.area_ids


def test_relationship_providers_add_residents(scenario):
    def provider(user):
        return AuditEntry.objects.filter(resident_id=4242, username=user.username).values("resident_id")

    scoping.register_relationship_provider("tests.fake", provider)
    try:
        assert access_reason(scenario.county_specialist, resident_id=4242, resident_area_id=scenario.village_c.pk) is None
        AuditEntry.objects.create(username=scenario.county_specialist.username, action="read",
                                  object_type="x", resident_id=4242)
        assert access_reason(scenario.county_specialist, resident_id=4242,
                             resident_area_id=scenario.village_c.pk) == "relationship:tests.fake"
    finally:
        scoping._providers.pop("tests.fake", None)


def test_break_glass_is_time_limited_and_audited(scenario, settings):
    doctor = scenario.village_doctor_b
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        assert access_reason(doctor, resident_id=77, resident_area_id=scenario.village_a.pk) is None
        grant_break_glass(doctor, resident_id=77, institution_id=scenario.clinic_b.pk, reason="急诊抢救，患者昏迷")
        assert access_reason(doctor, resident_id=77, resident_area_id=scenario.village_a.pk) == "break_glass"
        entry = AuditEntry.objects.get(action="break_glass")
        assert entry.resident_id == 77 and "急诊抢救" in entry.reason and entry.username == "village-doctor-b"
    later = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert not active_break_glass_resident_ids(doctor).exists()
        assert access_reason(doctor, resident_id=77, resident_area_id=scenario.village_a.pk) is None


def test_break_glass_needs_a_reason_and_a_clinical_role(scenario):
    with pytest.raises(ValidationError):
        grant_break_glass(scenario.village_doctor_b, resident_id=1, institution_id=scenario.clinic_b.pk, reason="")
    with pytest.raises(ValidationError):
        grant_break_glass(scenario.system_admin, resident_id=1, institution_id=None, reason="想看看这个人")
    with pytest.raises(ValidationError):  # not in another institution's name
        grant_break_glass(scenario.village_doctor_b, resident_id=1, institution_id=scenario.clinic_a.pk,
                          reason="急诊抢救需要")


def test_sensitive_records_need_the_programme_role(scenario):
    assert may_see_sensitive(scenario.mental_health_doctor, "mental")
    assert not may_see_sensitive(scenario.township_doctor, "mental")
    assert not may_see_sensitive(scenario.mental_health_doctor, "hiv")
    assert may_see_sensitive(scenario.township_doctor, "other")


def test_area_scope_is_computed_in_few_queries(scenario, django_assert_max_num_queries):
    for _ in range(3):
        Area.objects.create(code=f"36019910030{_}", name=f"新村{_}", level="village", parent=scenario.township_1)
    with django_assert_max_num_queries(5):
        area_scope(scenario.township_doctor)
