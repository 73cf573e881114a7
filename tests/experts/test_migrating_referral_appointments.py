"""Appointment times recorded on referrals before this module become booked slots (data migration 0002),
and the reverse removes them."""
import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone

from tests.referrals import helpers as referral_helpers
from yigongti.experts.models import Booking, Session
from yigongti.referrals import actions as referrals

migration = importlib.import_module("yigongti.experts.migrations.0002_referral_appointments_to_slots")


def test_recorded_appointments_become_booked_slots(scenario):
    s = scenario
    at = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(9, 30)))
    r1 = referral_helpers.submitted(s)
    referrals.accept_referral(s.county_specialist, r1, appointment_at=at)
    r2 = referral_helpers.submitted(s)
    referrals.accept_referral(s.county_specialist, r2, appointment_at=at + dt.timedelta(minutes=15))
    referrals.receive_referral(s.county_specialist, r2)
    r3 = referral_helpers.submitted(s)
    referrals.accept_referral(s.county_specialist, r3, appointment_at=at + dt.timedelta(hours=5))
    assert not Booking.objects.exists()

    migration.forward(apps, None)
    b1, b2 = Booking.objects.get(referral_id=r1.pk), Booking.objects.get(referral_id=r2.pk)
    assert b1.session_id == b2.session_id and b1.status == "booked" and b2.status == "attended"
    assert b1.session.institution_id == s.county_hospital.pk and b1.slot.time == dt.time(9, 30)
    assert Booking.objects.get(referral_id=r3.pk).session.half_day == "pm"
    migration.forward(apps, None)   # idempotent
    assert Booking.objects.count() == 3

    migration.backward(apps, None)
    assert not Booking.objects.exists() and not Session.objects.exists()
