"""The chronic part of the demo county (tiny, through the real actions): hypertension and diabetes with two years of
follow-ups, a mix of controlled, not controlled, overdue and urgent, telephone follow-ups, SMI and TB in the same
due list; the bulk path (--residents) writes the same shape."""
import datetime as dt

from django.db import transaction

from yigongti.chronic.models import Enrolment, Visit
from yigongti.demo.registry import DemoContext, generate


def test_the_mix(db):
    with transaction.atomic():
        lines = []
        generate(DemoContext(scale="tiny", seed=1, log=lines.append))
        programmes = set(Enrolment.objects.values_list("programme", flat=True))
        assert programmes >= {"hypertension", "diabetes", "mental", "tb"}
        visits = Visit.objects.all()
        assert visits.filter(mode="phone").exists()
        assert visits.filter(referral="urgent").exists() or visits.filter(referral="advised").exists()
        assert {c for c in visits.values_list("controlled", flat=True)} >= {True, False}
        span = visits.order_by("visit_date").values_list("visit_date", flat=True)
        assert span.last() - span.first() > dt.timedelta(days=360)
        assert Enrolment.objects.filter(next_due__lt=dt.date(2026, 11, 1)).exists()   # overdue at the demo's today
        assert any("hypertension" in line for line in lines)
        transaction.set_rollback(True)
