"""Jobs of the programme engine (run by `yigongti worker`): the nightly enrolment of the population programmes
(``nightly.py``), declared periodic like the audit seal (``audit.schedule``), so the worker's start, the demo
and ``yigongti audit schedule`` keep one run queued."""
import datetime as dt

from django.utils import timezone

from yigongti.audit.schedule import periodic, schedule_next
from yigongti.jobs.queue import enqueue
from yigongti.jobs.registry import job_handler

from . import nightly

ENROLMENT_KIND = "chronic.population_enrolment"


@periodic(ENROLMENT_KIND, hour=1, minute=30)
@job_handler(ENROLMENT_KIND)
def population_enrolment(job, *, date: str | None = None, after: dict | None = None, **_payload):
    """One batch of the night's enrolment (for ``date``, default today). A full batch queues its continuation
    (same kind, the cursor in the payload, due now); the last batch queues the next night's run."""
    day = dt.date.fromisoformat(date) if date else timezone.localdate()
    result = nightly.run(day, limit=nightly.BATCH, after=after or {})
    if result["more"]:
        enqueue(ENROLMENT_KIND, {"date": day.isoformat(), "after": result["after"]}, max_attempts=3)
    else:
        schedule_next(ENROLMENT_KIND, exclude_id=job.pk)
    return result
