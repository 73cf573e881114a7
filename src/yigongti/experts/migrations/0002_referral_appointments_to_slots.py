"""Appointment times recorded on accepted referrals before the slot model existed become booked slots
(design "Shared concepts: appointments"). One session per receiving institution, China date and half day
(clinic "转诊预约"), one slot per referral at its appointment time; the booking's state follows the referral
(accepted → booked, received/completed → attended, rejected/cancelled → cancelled). Reversible: the
reverse removes the migrated bookings and the sessions made for them. Uses no app code."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

CHINA = ZoneInfo("Asia/Shanghai")
CLINIC = "转诊预约"
STATE = {"accepted": "booked", "received": "attended", "completed": "attended", "rejected": "cancelled",
         "cancelled": "cancelled"}


def forward(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Session = apps.get_model("experts", "Session")
    Slot = apps.get_model("experts", "Slot")
    Booking = apps.get_model("experts", "Booking")
    done = set(Booking.objects.filter(referral_id__isnull=False).values_list("referral_id", flat=True))
    groups: dict = {}
    rows = (Referral.objects.filter(appointment_at__isnull=False, status__in=list(STATE))
            .order_by("appointment_at", "pk").values("pk", "to_institution_id", "resident_id", "status",
                                                     "appointment_at", "accepted_by_id"))
    for r in rows:
        if r["pk"] in done:
            continue
        local = r["appointment_at"].astimezone(CHINA)
        half = "am" if local.hour < 12 else "pm"
        groups.setdefault((r["to_institution_id"], local.date(), half), []).append((local, r))
    for (institution_id, day, half), items in groups.items():
        first = items[0][0]
        last = items[-1][0]
        end = (last + dt.timedelta(minutes=30)).time() if last.hour < 23 or last.minute < 30 else dt.time(23, 59)
        session = Session.objects.create(
            institution_id=institution_id, date=day, half_day=half, start_time=first.time().replace(microsecond=0),
            end_time=end.replace(microsecond=0), starts_at=first, release_at=first, released_at=first, clinic=CLINIC,
            specialty=CLINIC, capacity=len(items), reserved=0, status="open")
        seen_residents = set()
        for number, (local, r) in enumerate(items, start=1):
            slot = Slot.objects.create(session=session, number=number, time=local.time().replace(microsecond=0),
                                       reserved=False)
            status = STATE[r["status"]]
            if status != "cancelled" and r["resident_id"] in seen_residents:
                status = "cancelled"   # one live slot per resident per session
            if status != "cancelled":
                seen_residents.add(r["resident_id"])
            Booking.objects.create(slot=slot, session=session, resident_id=r["resident_id"], status=status,
                                   source="migrated", booked_by_id=r["accepted_by_id"], booked_for_id=institution_id,
                                   referral_id=r["pk"])


def backward(apps, schema_editor):
    Session = apps.get_model("experts", "Session")
    Slot = apps.get_model("experts", "Slot")
    Booking = apps.get_model("experts", "Booking")
    session_ids = list(Booking.objects.filter(source="migrated").values_list("session_id", flat=True).distinct())
    Booking.objects.filter(source="migrated").delete()
    empty = Session.objects.filter(pk__in=session_ids, clinic=CLINIC, entry__isnull=True).exclude(
        pk__in=Booking.objects.values("session_id"))
    Slot.objects.filter(session__in=empty).delete()
    empty.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0001_initial"),
        ("referrals", "0002_default_deductibles"),
    ]

    operations = [migrations.RunPython(forward, backward)]
