"""Remote consultation: requested with the shared record attached, answered in writing (video flag), the
answer on the resident's timeline; only the invited specialist answers."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yigongti.experts import actions
from yigongti.people.timeline import entries

from . import helpers


def test_request_and_answer_land_on_the_record(scenario):
    s = scenario
    p = helpers.resident(s)
    c = actions.request_consultation(s.village_doctor_a, institution=s.clinic_a, resident=p,
                                     specialist=s.county_specialist, mode="instant",
                                     question="血压控制不佳，请专家指导用药。")
    assert c.specialist_institution == s.county_hospital and isinstance(c.record_summary, list)
    from yigongti.tasks.models import Task

    assert Task.objects.filter(assignee=s.county_specialist, state="open").exists()
    # the specialist now sees the record (care relationship)
    from yigongti.people.queries import visible_residents

    assert visible_residents(s.county_specialist).filter(pk=p.pk).exists()
    with pytest.raises(PermissionDenied):
        actions.answer_consultation(s.township_doctor, c, answer="x")
    with pytest.raises(ValidationError):
        actions.answer_consultation(s.county_specialist, c, answer="  ")
    actions.answer_consultation(s.county_specialist, c, answer="建议加用氨氯地平5mg qd，两周后复测血压。",
                                video_call=True)
    c.refresh_from_db()
    assert c.status == "answered" and c.video_call
    assert not Task.objects.filter(assignee=s.county_specialist, state="open").exists()
    found = [e for e in entries(p, s.village_doctor_a) if e.kind == "consultation"]
    assert found and "氨氯地平" in found[0].detail
    with pytest.raises(ValidationError):
        actions.answer_consultation(s.county_specialist, c, answer="again")


def test_a_booked_consultation_needs_a_time_and_a_county_specialist(scenario):
    s = scenario
    p = helpers.resident(s)
    with pytest.raises(ValidationError) as exc:
        actions.request_consultation(s.village_doctor_a, institution=s.clinic_a, resident=p,
                                     specialist=s.township_doctor, mode="booked", question="")
    assert {"specialist", "scheduled_at", "question"} <= set(exc.value.message_dict)
    later = timezone.now() + dt.timedelta(days=1)
    c = actions.request_consultation(s.village_doctor_a, institution=s.clinic_a, resident=p,
                                     specialist=s.county_specialist, mode="booked", scheduled_at=later,
                                     question="复诊")
    assert c.scheduled_at == later


def test_an_outsider_may_not_request_for_another_institution(scenario):
    s = scenario
    p = helpers.resident(s)
    with pytest.raises(PermissionDenied):
        actions.request_consultation(s.village_doctor_c, institution=s.clinic_a, resident=p,
                                     specialist=s.county_specialist, mode="instant", question="?")
    with pytest.raises(PermissionDenied):
        actions.request_consultation(s.village_doctor_c, institution=s.clinic_c, resident=p,
                                     specialist=s.county_specialist, mode="instant", question="?")
