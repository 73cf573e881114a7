"""The diagnostics part of the demo county (tiny, through the real actions): a year of readings with
turnaround by priority, a few critical values, avoided repeats, and open items for the demo accounts; the same
data again for the same seed."""
import pytest
from django.db import transaction

from yigongti.demo.registry import DemoContext, generate
from yigongti.diagnostics.models import CriticalValue, Recognition, Request
from yigongti.rules import diagnostics as rules

pytestmark = pytest.mark.django_db


def _build(seed):
    with transaction.atomic():
        lines = []
        generate(DemoContext(scale="tiny", seed=seed, log=lines.append))
        made = list(Request.objects.order_by("pk").values_list("modality", "priority", "status", "requested_at",
                                                                "published_at"))
        extra = (CriticalValue.objects.count(), CriticalValue.objects.filter(escalated_at__isnull=False).count(),
                 CriticalValue.objects.filter(acknowledged_at__isnull=True).count(),
                 Recognition.objects.filter(avoided=True).count())
        transaction.set_rollback(True)
    return made, extra, lines


def test_a_year_of_readings():
    made, (crit, escalated, open_crit, avoided), lines = _build(1)
    published = [m for m in made if m[2] == "published"]
    assert len(published) >= 12  # tiny: clinics without residents are skipped
    assert {m[0] for m in published} == {"ecg", "dr", "us", "ct", "lab"}
    span = max(m[4] for m in published) - min(m[3] for m in published)
    assert span.days > 300
    minutes = [rules.minutes_between(m[3], m[4]) for m in published]
    assert all(0 < x <= 1800 for x in minutes)
    assert crit >= 2 and escalated >= 1 and open_crit == 1 and avoided >= 1
    assert {m[2] for m in made} >= {"published", "requested", "claimed"}
    assert any("readings over a year" in line for line in lines)
    def same(rows):  # open items are made now: compare them without their times
        return [row if row[2] == "published" else row[:3] for row in rows]

    assert same(_build(1)[0]) == same(made)
