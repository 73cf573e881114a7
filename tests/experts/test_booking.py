"""Book, cancel, no-show: the reserved part for family doctors and their contracted residents, one slot per
resident per session, a full session, repeated no-shows."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yigongti.experts import actions
from yigongti.experts.models import Booking, BookingSource

from . import helpers


def codes(exc):
    return {e.code for errors in exc.value.error_dict.values() for e in errors}


@pytest.fixture
def s(scenario):
    return scenario


def test_a_family_doctor_books_a_contracted_resident_into_the_reserved_part(s):
    session = helpers.session(s, capacity=4, reserved=2)
    p = helpers.contracted(s)
    b = actions.book_slot(s.village_doctor_a, session, p)
    assert b.slot.reserved and b.source == BookingSource.FAMILY_DOCTOR and b.slot.number == 1
    assert b.booked_for_id == s.clinic_a.pk


def test_a_resident_without_a_contract_is_refused_the_reserved_part(s):
    session = helpers.session(s, capacity=2, reserved=1)
    a, b = helpers.resident(s), helpers.resident(s)
    first = actions.book_slot(s.township_doctor, session, a)
    assert not first.slot.reserved and first.source == BookingSource.DESK
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, session, b)
    assert codes(exc) == {"reserved_needs_contract"}
    assert "slot" in exc.value.message_dict


def test_the_reserved_part_opens_to_everyone_at_the_release_time(s):
    session = helpers.session(s, capacity=2, reserved=1)
    actions.book_slot(s.township_doctor, session, helpers.resident(s))
    late = session.release_at + dt.timedelta(minutes=1)
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s), now=late)
    assert b.slot.reserved


def test_someone_not_of_the_team_gets_the_general_part_even_for_a_contracted_resident(s):
    session = helpers.session(s, capacity=3, reserved=2)
    p = helpers.contracted(s)
    b = actions.book_slot(s.mental_health_doctor, session, p)   # a township doctor outside the team
    assert not b.slot.reserved and b.source == BookingSource.DESK


def test_one_slot_per_resident_per_session(s):
    session = helpers.session(s)
    p = helpers.contracted(s)
    actions.book_slot(s.village_doctor_a, session, p)
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, session, p)
    assert codes(exc) == {"already_booked"}


def test_a_full_session_refuses(s):
    session = helpers.session(s, capacity=1, reserved=0)
    actions.book_slot(s.township_doctor, session, helpers.resident(s))
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, session, helpers.resident(s))
    assert codes(exc) == {"full"}


def test_cancel_frees_the_slot(s):
    session = helpers.session(s, capacity=1, reserved=0)
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s))
    actions.cancel_booking(s.township_doctor, b, "患者改期")
    again = actions.book_slot(s.township_doctor, session, helpers.resident(s))
    assert again.slot_id == b.slot_id
    with pytest.raises(ValidationError):
        actions.cancel_booking(s.township_doctor, b)


def test_an_outsider_may_not_book_a_resident_they_cannot_see(s):
    session = helpers.session(s)
    with pytest.raises(PermissionDenied):
        actions.book_slot(s.village_doctor_c, session, helpers.resident(s))
    with pytest.raises(PermissionDenied):
        actions.book_slot(s.system_admin, session, helpers.resident(s))


def test_an_outsider_may_not_cancel(s):
    session = helpers.session(s)
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s))
    with pytest.raises(PermissionDenied):
        actions.cancel_booking(s.other_township_doctor, b)


def test_repeated_no_shows_limit_booking(s, settings):
    settings.YIGONGTI_EXPERTS = {"NO_SHOW_LIMIT": 2, "NO_SHOW_WINDOW_DAYS": 90}
    p = helpers.resident(s)
    e = helpers.entry(s, capacity=4, reserved=0)
    first = helpers.next_weekday(e.weekday)
    sessions = actions.generate_sessions(None, s.centre_1, first, first + dt.timedelta(days=20))
    assert len(sessions) == 3
    for session in sessions[:2]:
        b = actions.book_slot(s.township_doctor, session, p)
        with pytest.raises(ValidationError):
            actions.mark_no_show(s.township_doctor, b)          # too early: the session has not begun
        actions.mark_no_show(s.county_specialist, b, now=session.starts_at + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, sessions[2], p, now=sessions[1].starts_at + dt.timedelta(days=1))
    assert codes(exc) == {"no_show_limit"}


def test_attended_and_a_passed_session(s):
    session = helpers.session(s)
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s))
    actions.mark_attended(s.county_specialist, b, now=session.starts_at)
    assert Booking.objects.get(pk=b.pk).status == "attended"
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, session, helpers.resident(s), now=session.starts_at)
    assert codes(exc) == {"session_passed"}
    assert timezone.is_aware(session.starts_at)
