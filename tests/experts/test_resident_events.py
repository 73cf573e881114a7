"""The handlers for resident events (subscribed once docs/architecture.md lists them): a death cancels the
resident's future bookings and open consultation requests."""
import datetime as dt

from yigongti import events
from yigongti.experts import actions
from yigongti.experts.models import Booking, Consultation

from . import helpers


def test_a_death_cancels_future_bookings_and_open_requests(scenario):
    s = scenario
    session = helpers.session(s)
    p = helpers.resident(s)
    b = actions.book_slot(s.township_doctor, session, p)
    c = actions.request_consultation(s.village_doctor_a, institution=s.clinic_a, resident=p,
                                     specialist=s.county_specialist, mode="instant", question="?")
    actions.on_resident_died(events.ResidentDied(resident_id=p.pk, date_of_death=dt.date(2026, 11, 20)))
    assert Booking.objects.get(pk=b.pk).status == "cancelled"
    assert Consultation.objects.get(pk=c.pk).status == "cancelled"


def test_a_merge_repoints_bookings_and_an_undo_puts_them_back(scenario):
    from yigongti.people import actions as people_actions

    s = scenario
    session = helpers.session(s)
    kept, merged = helpers.resident(s), helpers.resident(s)
    b1 = actions.book_slot(s.township_doctor, session, kept)
    b2 = actions.book_slot(s.township_doctor, session, merged)   # the same person twice in one session
    merge = people_actions.merge_residents(s.township_doctor, kept, merged, reason="重复建档")  # publishes the event
    b2.refresh_from_db()
    assert b2.resident_id == kept.pk and b2.status == "cancelled"
    assert Booking.objects.get(pk=b1.pk).status == "booked"
    people_actions.undo_merge(s.township_doctor, merge)
    assert Booking.objects.get(pk=b2.pk).resident_id == merged.pk
