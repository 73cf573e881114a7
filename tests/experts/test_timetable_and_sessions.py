"""The weekly timetable makes sessions with their slots; statutory holidays, 停诊 and 调班 are respected."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.experts import actions
from yigongti.experts.models import Booking, Session, Slot
from yigongti.jobs.models import Job

from . import helpers


def test_sessions_and_slots_from_the_timetable(scenario):
    s = scenario
    e = helpers.entry(s, weekday=0, capacity=14, reserved=4)
    start = helpers.next_weekday(0)
    made = actions.generate_sessions(None, s.centre_1, start, start + dt.timedelta(days=13))
    assert [m.date for m in made] == [start, start + dt.timedelta(days=7)]
    first = made[0]
    assert (first.start_time, first.end_time) == (dt.time(8), dt.time(11, 30))
    slots = list(Slot.objects.filter(session=first))
    assert len(slots) == 14 and sum(x.reserved for x in slots) == 4
    assert slots[1].time == dt.time(8, 15)
    assert first.specialist == s.county_specialist and first.entry == e
    # idempotent
    assert actions.generate_sessions(None, s.centre_1, start, start + dt.timedelta(days=13)) == []
    # a release job per session, due at the release time
    assert Job.objects.filter(kind=actions.RELEASE_JOB).count() == 2


def test_statutory_holidays_are_skipped(scenario):
    s = scenario
    helpers.entry(s, weekday=3)   # Thursdays; 2026-10-01 is National Day
    from django.utils import timezone

    from yigongti.experts.models import TimetableEntry

    TimetableEntry.objects.update(valid_from=dt.date(2026, 9, 1))
    made = actions.generate_sessions(None, s.centre_1, dt.date(2026, 9, 28), dt.date(2026, 10, 11))
    assert [m.date for m in made] == [dt.date(2026, 10, 8)]
    assert timezone.is_aware(made[0].starts_at)


def test_a_day_off_cancels_sessions_and_their_bookings(scenario):
    s = scenario
    session = helpers.session(s)
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s))
    actions.add_exception(s.institution_admin_t1, institution=s.centre_1, kind="holiday", date=session.date,
                          note="专家外出学习")
    assert Session.objects.get(pk=session.pk).status == "cancelled"
    assert Booking.objects.get(pk=b.pk).status == "cancelled"
    from yigongti.tasks.models import Task

    assert Task.objects.filter(assignee=s.township_doctor, kind="experts").exists()


def test_a_swap_moves_the_session(scenario):
    s = scenario
    session = helpers.session(s)
    new_day = session.date + dt.timedelta(days=1)
    actions.add_exception(None, institution=s.centre_1, kind="swap", date=session.date, entry=session.entry,
                          new_date=new_day)
    moved = Session.objects.get(pk=session.pk)
    assert moved.date == new_day and moved.starts_at.date() == new_day
    # a later generation does not bring the old date back
    assert actions.generate_sessions(None, s.centre_1, session.date, session.date) == []


def test_who_may_keep_the_timetable(scenario):
    s = scenario
    with pytest.raises(PermissionDenied):
        actions.add_timetable_entry(s.township_doctor, institution=s.centre_1, clinic="外科门诊", weekday=0,
                                    half_day="am", specialty="骨科", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        actions.add_timetable_entry(s.institution_admin_t1, institution=s.centre_2, clinic="外科门诊", weekday=0,
                                    half_day="am", specialty="骨科", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        actions.add_timetable_entry(s.institution_admin_t1, institution=s.centre_1, clinic="", weekday=9,
                                    half_day="xx", specialty="骨科", valid_from=dt.date(2026, 1, 1),
                                    capacity=5, reserved=6, specialist=s.village_doctor_a,
                                    home_institution=s.county_hospital)
    assert {"clinic", "weekday", "half_day", "specialist"} <= set(exc.value.message_dict)
