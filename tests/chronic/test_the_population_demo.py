"""The population programmes' demo part (tiny, through the real actions): older people, children and pregnancies
with two years of visits, overdue ones among them, vaccination records, education activities."""
import datetime as dt

from django.db import transaction

from yigongti.chronic.models import EducationActivity, Enrolment, Vaccination, Visit
from yigongti.demo.registry import DemoContext, generate
from yigongti.people.models import HealthExam


def test_the_population_mix(db):
    with transaction.atomic():
        lines = []
        generate(DemoContext(scale="tiny", seed=1, log=lines.append))
        programmes = set(Enrolment.objects.values_list("programme", flat=True))
        assert {"older", "child", "maternal"} <= programmes
        older = Visit.objects.filter(programme="older")
        span = older.order_by("visit_date").values_list("visit_date", flat=True)
        assert span.last() - span.first() > dt.timedelta(days=300)
        assert HealthExam.objects.filter(self_care_score__isnull=False).count() == older.count()
        assert Visit.objects.filter(programme="child").exists()
        assert Visit.objects.filter(programme="maternal").exists()
        assert Vaccination.objects.filter(status="given").exists()
        assert EducationActivity.objects.exists()
        assert Enrolment.objects.filter(programme__in=("older", "child"), next_due__lt=dt.date(2026, 11, 1)).exists()
        assert any("older people" in line for line in lines)
        transaction.set_rollback(True)
