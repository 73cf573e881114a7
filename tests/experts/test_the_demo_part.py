"""The experts part of the demo county (tiny): seed 000's timetable at every centre, secondments, a year of
outreach, the coming sessions at Xiangtang with family doctors' bookings, consultations."""
from django.db import transaction

from yigongti.demo.registry import DemoContext, parts
from yigongti.experts.models import (
    Booking,
    Consultation,
    OutreachActivity,
    Secondment,
    Session,
    TimetableEntry,
)


def test_the_demo_part(db):
    with transaction.atomic():
        lines = []
        ctx = DemoContext(scale="tiny", seed=1, log=lines.append)
        for part in parts():   # the parts up to this one (later parts are other apps' business)
            if part.order <= 70:
                part.build(ctx)
        clinics = set(TimetableEntry.objects.values_list("clinic", flat=True))
        assert clinics == {"康复科门诊", "内、儿科门诊", "外科门诊", "慢病门诊"}
        assert Secondment.objects.count() >= 12
        assert OutreachActivity.objects.filter(kind="lecture").count() >= 52
        assert Session.objects.exists() and Booking.objects.exists()
        assert Booking.objects.filter(session__specialist__username="demo-specialist").exists()
        assert Consultation.objects.filter(status="answered").count() == 1
        assert any(line.startswith("experts:") for line in lines)
        transaction.set_rollback(True)
