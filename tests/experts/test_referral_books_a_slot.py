"""A referral accepted into a township session books a slot (experts.actions); without a session it keeps its
appointment time; a withdrawn referral frees its slot."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.referrals import helpers as referral_helpers
from yigongti.experts.models import Booking, BookingSource
from yigongti.referrals import actions as referrals

from . import helpers


def _down(s):
    referral_helpers.icd()
    r = referral_helpers.down_draft(s, patient=helpers.resident(s))
    return referrals.submit_referral(s.county_specialist, r)


def test_accepting_into_a_session_books_a_slot(scenario):
    s = scenario
    r = _down(s)
    session = helpers.session(s, capacity=2, reserved=0, date=timezone.localdate() + dt.timedelta(days=1))
    referrals.accept_referral(s.township_doctor, r, session=session)
    b = Booking.objects.get(referral_id=r.pk)
    assert b.source == BookingSource.REFERRAL and b.resident_id == r.resident_id
    r.refresh_from_db()
    assert timezone.localtime(r.appointment_at).date() == session.date
    referrals.cancel_referral(s.county_specialist, r, "患者放弃")
    assert Booking.objects.get(pk=b.pk).status == "cancelled"


def test_an_appointment_time_inside_a_session_books_it(scenario):
    s = scenario
    r = _down(s)
    session = helpers.session(s, capacity=2, reserved=0, date=timezone.localdate() + dt.timedelta(days=1))
    at = timezone.make_aware(dt.datetime.combine(session.date, dt.time(9, 0)))
    referrals.accept_referral(s.township_doctor, r, appointment_at=at)
    assert Booking.objects.filter(referral_id=r.pk, session=session).exists()


def test_without_a_session_the_appointment_time_stays(scenario):
    s = scenario
    r = _down(s)
    at = timezone.now() + dt.timedelta(hours=30)
    referrals.accept_referral(s.township_doctor, r, appointment_at=at)
    r.refresh_from_db()
    assert r.appointment_at == at and not Booking.objects.filter(referral_id=r.pk).exists()


def test_a_full_session_is_a_field_error(scenario):
    s = scenario
    session = helpers.session(s, capacity=1, reserved=0, date=timezone.localdate() + dt.timedelta(days=1))
    from yigongti.experts import actions

    actions.book_slot(s.township_doctor, session, helpers.resident(s))
    r = _down(s)
    with pytest.raises(ValidationError) as exc:
        referrals.accept_referral(s.township_doctor, r, session=session)
    assert "session" in exc.value.message_dict
    r.refresh_from_db()
    assert r.status == "submitted"
