"""update_resident, record_move_away, record_death: versions, events, permissions."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti import events
from yigongti.people import actions
from yigongti.people.models import Resident

from .conftest import register


def test_a_stale_version_is_refused(scenario):
    r = register(scenario)
    actions.update_resident(scenario.village_doctor_a, r, 1, phone="13900001111")
    with pytest.raises(actions.StaleVersion):
        actions.update_resident(scenario.village_doctor_a, r, 1, phone="13900002222")
    assert Resident.objects.get(pk=r.pk).version == 2


def test_moving_to_another_village_publishes_resident_changed(scenario, published):
    r = register(scenario)
    actions.update_resident(scenario.village_doctor_a, r, r.version, area=scenario.village_b)
    changed = [e for e in published if isinstance(e, events.ResidentChanged)]
    assert changed == [events.ResidentChanged(resident_id=r.pk, changed=("area_id",),
                                              before={"area_id": scenario.village_a.pk},
                                              after={"area_id": scenario.village_b.pk})]


def test_a_phone_change_publishes_nothing_but_is_audited(scenario, published):
    from yigongti.audit.models import AuditEntry

    r = register(scenario)
    actions.update_resident(scenario.village_doctor_a, r, r.version, phone="13900001111")
    assert not [e for e in published if isinstance(e, events.ResidentChanged)]
    entry = AuditEntry.objects.filter(object_id=str(r.pk), action="update").get()
    assert entry.changes["phone"] == ["", "139****1111"]


def test_an_id_change_is_checked_against_birth_date(scenario):
    from .conftest import synthetic

    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        actions.update_resident(scenario.village_doctor_a, r, r.version, id_number=synthetic(dt.date(1951, 1, 1), "2"))
    assert "birth_date" in exc.value.message_dict


def test_another_village_doctor_cannot_edit(scenario):
    r = register(scenario)
    with pytest.raises(PermissionDenied):
        actions.update_resident(scenario.village_doctor_b, r, r.version, phone="13900001111")


def test_move_away_and_death(scenario, published):
    r = register(scenario)
    actions.record_move_away(scenario.village_doctor_a, r, dt.date(2025, 1, 5))
    r.refresh_from_db()
    assert r.status == "moved" and r.moved_on == dt.date(2025, 1, 5)
    other = register(scenario, name="王五", sex="1", birth_date=dt.date(1940, 1, 1))
    actions.record_death(scenario.village_doctor_a, other, dt.date(2025, 2, 1), "脑卒中")
    other.refresh_from_db()
    assert other.status == "deceased" and other.death_cause == "脑卒中"
    kinds = [type(e) for e in published]
    assert events.ResidentMovedAway in kinds and events.ResidentDied in kinds
    with pytest.raises(ValidationError):
        actions.record_death(scenario.village_doctor_a, other, dt.date(2025, 2, 1))
