"""Critical values (危急值): marked, phoned with read-back, an inbox alert to acknowledge, escalated to the
requesting institution's duty doctor when nobody acknowledged in time — timed with a frozen clock."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.diagnostics import actions
from yigongti.diagnostics.models import CriticalValue
from yigongti.jobs.queue import run_pending
from yigongti.tasks.models import Task

from . import helpers

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)  # 22:00 China time: a night shift


def _marked(s, **kw):
    r = helpers.request(s, priority="stat")
    actions.claim_request(s.county_specialist, r)
    return actions.mark_critical(s.county_specialist, r, description="急性前壁ST段抬高型心肌梗死", **kw)


def test_mark_call_and_acknowledge(scenario):
    s = scenario
    with time_machine.travel(T0, tick=False):
        cv = _marked(s)
    alert = Task.objects.get(kind="critical_value", assignee=s.village_doctor_a)
    assert alert.state == "open" and alert.due_at == T0 + dt.timedelta(minutes=15)
    assert alert.source_url == f"/diagnostics/critical/{cv.pk}/"
    with pytest.raises(ValidationError) as exc:
        actions.record_call(s.county_specialist, cv, phoned_to="", read_back="")
    assert set(exc.value.message_dict) == {"phoned_to", "read_back"}
    with pytest.raises(PermissionDenied):
        actions.record_call(s.township_doctor, cv, phoned_to="赵村医", read_back="心梗")
    with time_machine.travel(T0 + dt.timedelta(minutes=3), tick=False):
        actions.record_call(s.county_specialist, cv, phoned_to="赵村医", read_back="急性前壁心梗，立即转诊")
    assert cv.phoned_by == s.county_specialist and cv.phoned_at == T0 + dt.timedelta(minutes=3)
    with pytest.raises(PermissionDenied):
        actions.acknowledge_critical(s.village_doctor_b, cv)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        actions.acknowledge_critical(s.village_doctor_a, cv)
        assert run_pending() == 0  # the escalation job is not due yet
    assert cv.acknowledged_at == T0 + dt.timedelta(minutes=5) and cv.acknowledged_by == s.village_doctor_a
    alert.refresh_from_db()
    assert alert.state == "done"
    with pytest.raises(ValidationError):
        actions.acknowledge_critical(s.village_doctor_a, cv)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        run_pending()
    cv.refresh_from_db()
    assert cv.escalated_at is None  # acknowledged in time: nothing escalates
    steps = set(AuditEntry.objects.filter(object_type="diagnostics.CriticalValue", object_id=str(cv.pk))
                .values_list("reason", flat=True))
    assert steps == {"critical_value", "critical_value_call", "critical_value_ack"}


def test_unacknowledged_escalates_to_the_duty_doctor_at_the_minute(scenario, settings):
    s = scenario
    settings.YIGONGTI_DIAGNOSTICS = {**settings.YIGONGTI_DIAGNOSTICS, "ESCALATION_MINUTES": 10}
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role

    night = org_actions.create_staff(None, institution=s.clinic_a, username="night-doctor", full_name="值班村医",
                                     password=s.password, roles=[Role.VILLAGE_DOCTOR], validate=False)
    actions.add_duty_shift(None, institution=s.clinic_a, doctor=night, starts_at=T0 - dt.timedelta(hours=2),
                           ends_at=T0 + dt.timedelta(hours=10))
    with time_machine.travel(T0, tick=False):
        cv = _marked(s)
    with time_machine.travel(T0 + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert run_pending() == 0
        assert actions.escalate_due() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert run_pending() == 1
    cv.refresh_from_db()
    assert cv.escalated_at == T0 + dt.timedelta(minutes=10) and cv.escalated_to == night
    assert Task.objects.filter(kind="critical_value", assignee=night, state="open").count() == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert actions.escalate_due() == 0 and not actions.escalate(cv.pk)  # once only
        actions.acknowledge_critical(night, cv)  # the duty doctor may acknowledge
    assert not Task.objects.filter(kind="critical_value", state="open").exists()


def test_without_a_roster_it_escalates_to_the_institutions_doctors(scenario):
    s = scenario
    with time_machine.travel(T0, tick=False):
        cv = _marked(s)
    with time_machine.travel(T0 + dt.timedelta(minutes=16), tick=False):
        assert actions.escalate_due() == 1
    cv.refresh_from_db()
    assert cv.escalated_to is None
    assert Task.objects.filter(kind="critical_value", role="village_doctor", institution=s.clinic_a).count() == 1


def test_a_longer_setting_requeues_the_job(scenario, settings):
    s = scenario
    with time_machine.travel(T0, tick=False):
        cv = _marked(s)
    settings.YIGONGTI_DIAGNOSTICS = {**settings.YIGONGTI_DIAGNOSTICS, "ESCALATION_MINUTES": 30}
    with time_machine.travel(T0 + dt.timedelta(minutes=15), tick=False):
        assert run_pending() == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert run_pending() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert run_pending() == 1
    assert CriticalValue.objects.get(pk=cv.pk).escalated_at == T0 + dt.timedelta(minutes=30)


def test_marking_needs_a_reader_of_the_centre_and_a_description(scenario):
    s = scenario
    r = helpers.request(s)
    with pytest.raises(PermissionDenied):
        actions.mark_critical(s.village_doctor_a, r, description="心梗")
    with pytest.raises(ValidationError):
        actions.mark_critical(s.county_specialist, r, description=" ")


def test_the_roster_takes_only_its_own_clinicians(scenario):
    s = scenario
    with pytest.raises(ValidationError):
        actions.add_duty_shift(None, institution=s.clinic_a, doctor=s.village_doctor_b, starts_at=T0,
                               ends_at=T0 + dt.timedelta(hours=8))
    with pytest.raises(PermissionDenied):
        actions.add_duty_shift(s.village_doctor_b, institution=s.clinic_a, doctor=s.village_doctor_a, starts_at=T0,
                               ends_at=T0 + dt.timedelta(hours=8))
    with pytest.raises(ValidationError):
        actions.add_duty_shift(s.village_doctor_a, institution=s.clinic_a, doctor=s.village_doctor_a, starts_at=T0,
                               ends_at=T0)
