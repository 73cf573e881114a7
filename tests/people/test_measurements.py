"""Standalone measurements (people.measurements): validated, audited, published for screening, idempotent on
an external id, on the timeline, and carried along when two records are merged (and back on undo)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yigongti import events
from yigongti.audit.models import AuditEntry
from yigongti.people import actions, timeline
from yigongti.people.measurements import record_measurement, update_measurement, visible_measurements
from yigongti.people.models import Measurement

from .conftest import register

pytestmark = pytest.mark.django_db


def _bp(scenario, resident, **kw):
    kw.setdefault("measured_at", timezone.now() - dt.timedelta(hours=1))
    return record_measurement(scenario.village_doctor_a, institution=scenario.clinic_a, resident=resident,
                              code=kw.pop("code", "85354-9"), **{"systolic": 150, "diastolic": 95, **kw})


def test_it_records_audits_publishes_and_shows_on_the_timeline(scenario, published):
    r = register(scenario)
    m, created = _bp(scenario, r)
    assert created and (m.systolic, m.diastolic, m.unit, m.value) == (150, 95, "mm[Hg]", None)
    assert AuditEntry.objects.filter(object_type="people.Measurement", object_id=str(m.pk), action="create").exists()
    vitals = [e for e in published if isinstance(e, events.VitalsRecorded)]
    assert [(v.source, v.source_id, v.systolic, v.diastolic) for v in vitals] == [("measurement", m.pk, 150, 95)]
    entry = next(e for e in timeline.entries(r, scenario.village_doctor_a) if e.kind == "measurement")
    assert "150/95" in entry.title


def test_a_weight_is_not_a_screening_event(scenario, published):
    r = register(scenario)
    m, _created = _bp(scenario, r, code="29463-7", value="68.5", systolic=None, diastolic=None)
    assert m.value == pytest.approx(68.5) and m.unit == "kg"
    assert not [e for e in published if isinstance(e, events.VitalsRecorded)]


@pytest.mark.parametrize(("changes", "field"), [
    ({"systolic": 90, "diastolic": 95}, "diastolic"),
    ({"systolic": 400}, "systolic"),
    ({"diastolic": None}, "diastolic"),
    ({"code": "1558-6", "value": "99"}, "value"),
    ({"code": "1558-6", "value": "6.1", "unit": "mg/dL"}, "unit"),
    ({"code": "0000-0"}, "code"),
    ({"measured_at": timezone.now() + dt.timedelta(days=2)}, "measured_at"),
])
def test_bad_values_are_field_errors(scenario, changes, field):
    r = register(scenario)
    with pytest.raises(ValidationError) as exc:
        _bp(scenario, r, **changes)
    assert field in exc.value.message_dict
    assert not Measurement.objects.exists()


def test_an_external_id_is_recorded_once_and_acting_for_another_institution_is_refused(scenario):
    r = register(scenario)
    first, created = _bp(scenario, r, source="his", external_id="X-1")
    again, created_again = _bp(scenario, r, source="his", external_id="X-1")
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(PermissionDenied):
        record_measurement(scenario.village_doctor_b, institution=scenario.clinic_a, resident=r, code="85354-9",
                           measured_at=timezone.now(), systolic=120, diastolic=80)


def test_update_is_audited_and_published_again(scenario, published):
    r = register(scenario)
    m, _created = _bp(scenario, r)
    update_measurement(scenario.village_doctor_a, m, systolic=138, diastolic=86)
    m.refresh_from_db()
    assert (m.systolic, m.diastolic) == (138, 86)
    assert AuditEntry.objects.filter(object_type="people.Measurement", action="update").count() == 1
    assert [e.systolic for e in published if isinstance(e, events.VitalsRecorded)] == [150, 138]
    with pytest.raises(PermissionDenied):
        update_measurement(scenario.village_doctor_b, m, systolic=120, diastolic=80)


def test_merge_carries_measurements_and_undo_puts_them_back(scenario):
    kept = register(scenario, name="甲")
    merged = register(scenario, name="乙", phone="13900000001")
    m, _created = _bp(scenario, merged)
    merge = actions.merge_residents(scenario.village_doctor_a, kept, merged, "重复")
    assert Measurement.objects.get(pk=m.pk).resident_id == kept.pk
    actions.undo_merge(scenario.village_doctor_a, merge)
    assert Measurement.objects.get(pk=m.pk).resident_id == merged.pk


def test_who_sees_measurements(scenario):
    r = register(scenario)
    _bp(scenario, r)
    assert visible_measurements(scenario.township_doctor).count() == 1
    assert visible_measurements(scenario.village_doctor_b).count() == 0


def test_the_record_page_shows_the_measurement(scenario, client):
    r = register(scenario)
    _bp(scenario, r)
    client.force_login(scenario.village_doctor_a)
    page = client.get(f"/people/{r.pk}/").content.decode()
    assert "150/95" in page and "体征测量" in page
