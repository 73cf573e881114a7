"""The adapter boundary for appointment slots (design "Who owns which data": slots for specialist sessions at
townships are ours; a county hospital's clinic slots come from its HIS where it has one).

A ``SlotSource`` answers three questions for one institution: which sessions are open in a date range,
book a resident into one, cancel a booking. ``LocalSlotSource`` serves them from this app's tables (the
default for every institution). A county hospital whose clinic runs on its HIS gets an adapter class named
in ``settings.YIGONGTI_EXPERTS["SLOT_SOURCES"]`` by institution code; the adapter talks to the HIS and
returns the same shapes. No HIS adapter ships yet: the boundary is what the referral desk and the family
doctors' booking page call, so one can be added without touching them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.utils.module_loading import import_string

from . import conf


@dataclass(frozen=True)
class OpenSession:
    id: str
    institution_code: str
    starts_at: dt.datetime
    clinic: str
    specialty: str
    specialist: str
    free: int


@dataclass(frozen=True)
class BookingRef:
    id: str
    session_id: str
    starts_at: dt.datetime


class SlotSource(Protocol):
    def open_sessions(self, institution, start: dt.date, end: dt.date) -> list[OpenSession]: ...

    def book(self, actor, session_id: str, resident, **kw) -> BookingRef: ...

    def cancel(self, actor, booking_id: str, reason: str = "") -> None: ...


class LocalSlotSource:
    """Slots held here (experts.Session / Slot / Booking) through experts.actions."""

    def open_sessions(self, institution, start, end) -> list[OpenSession]:
        from .queries import sessions

        out = []
        for s in sessions(institution_id=institution.pk, start=start, end=end).filter(status="open"):
            out.append(OpenSession(str(s.pk), institution.code, s.starts_at, s.clinic, s.specialty,
                                   s.specialist.display_name if s.specialist_id else "", s.capacity - s.booked))
        return out

    def book(self, actor, session_id, resident, **kw) -> BookingRef:
        from . import actions
        from .models import Session

        b = actions.book_slot(actor, Session.objects.get(pk=int(session_id)), resident, **kw)
        return BookingRef(str(b.pk), str(b.session_id), actions.slot_datetime(b))

    def cancel(self, actor, booking_id, reason="") -> None:
        from . import actions
        from .models import Booking

        actions.cancel_booking(actor, Booking.objects.get(pk=int(booking_id)), reason)


def source_for(institution) -> SlotSource:
    path = conf.get("SLOT_SOURCES").get(institution.code)
    return import_string(path)() if path else LocalSlotSource()
