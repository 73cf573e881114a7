"""Done-when of issue 9 through the actions: a township doctor refers a patient up with attached results;
the county desk accepts with a reserved bed, receives and completes; the 回转单 goes back to the referring
doctor (a to-do) and onto the shared record; every step leaves an audit entry."""
import datetime as dt

from django.utils import timezone

from yigongti.audit.models import AuditEntry
from yigongti.people import actions as people_actions
from yigongti.people import timeline
from yigongti.referrals import actions
from yigongti.referrals.models import Referral, Status
from yigongti.referrals.queries import free_beds
from yigongti.tasks.models import Task, TaskState
from yigongti.tasks.queries import tasks_for

from . import helpers


def _open_tasks(user):
    return [t.title for t in tasks_for(user) if t.state == TaskState.OPEN and t.source_type == "referrals.Referral"]


def test_up_and_back(scenario):
    s = scenario
    patient = helpers.resident(s)
    people_actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=patient,
                               exam_date=timezone.localdate() - dt.timedelta(days=30), systolic_left=150,
                               diastolic_left=95, fasting_glucose="6.1")
    people_actions.record_encounter(s.township_doctor, institution=s.centre_1, resident=patient, kind="outpatient",
                                    visit_date=timezone.localdate(), primary_diagnosis="S66.300", total_cost="35")
    helpers.beds(s, 2)

    r = helpers.draft(s, patient=patient)
    assert r.status == Status.DRAFT and r.direction == "up" and r.number.startswith("T001")
    assert actions.attach_recent_results(s.township_doctor, r) == 2
    assert actions.attach_recent_results(s.township_doctor, r) == 0  # each result once
    assert {a.kind for a in r.attachments.all()} == {"exam", "encounter"}

    r = actions.submit_referral(s.township_doctor, r)
    assert r.status == Status.SUBMITTED and r.valid_until - r.valid_from == dt.timedelta(days=3)
    assert any(patient.name in t for t in _open_tasks(s.county_specialist))

    r = actions.accept_referral(s.county_specialist, r, reserve_bed=True, note="绿色通道")
    assert r.status == Status.ACCEPTED and r.bed is not None
    assert r.bed.holder_ref == f"referrals.Referral:{r.pk}" and free_beds(s.county_hospital.pk).count() == 1

    r = actions.receive_referral(s.county_specialist, r)
    assert r.status == Status.RECEIVED and r.to_doctor == s.county_specialist
    assert free_beds(s.county_hospital.pk).count() == 2  # the hold ends when the patient arrives

    r = actions.complete_referral(s.county_specialist, r, return_diagnosis="S66.300", inpatient_number="ZY0001",
                                  return_results="X线：未见骨折", return_treatment="肌腱修补术",
                                  return_plan="两周后拆线，回乡镇卫生院康复")
    assert r.status == Status.COMPLETED
    assert any("已回转" in t for t in _open_tasks(s.township_doctor))
    assert not _open_tasks(s.county_specialist)
    entries = [e for e in timeline.entries(patient, s.village_doctor_a) if e.kind == "referral"]
    assert entries and "回转单" in entries[0].detail and "两周后拆线" in entries[0].detail
    steps = list(AuditEntry.objects.filter(object_type="referrals.Referral", object_id=str(r.pk)).order_by("pk")
                 .values_list("reason", flat=True))
    assert steps == ["create", "attach", "submit", "accept", "receive", "complete"]


def test_numbers_are_unique_per_institution_and_year(scenario):
    s = scenario
    a, b = helpers.draft(s), helpers.draft(s)
    year = timezone.localdate().year
    assert {a.number, b.number} == {f"T001{year}00001", f"T001{year}00002"}
    assert Referral.objects.count() == 2


def test_a_referral_to_the_same_institution_is_refused(scenario):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        helpers.draft(scenario, to=scenario.centre_1)
    assert "to_institution" in caught.value.message_dict


def test_bad_input_names_the_field(scenario):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        helpers.draft(scenario, primary_diagnosis="X99.999", reason="nonsense", other_diagnoses=["Q00.000"])
    assert {"primary_diagnosis", "reason", "other_diagnoses"} <= set(caught.value.message_dict)
    r = helpers.draft(scenario, consent=False, condition_summary="")
    with pytest.raises(ValidationError) as caught:
        actions.submit_referral(scenario.township_doctor, r)
    assert {"consent", "condition_summary"} <= set(caught.value.message_dict)
    assert Task.objects.count() == 0
