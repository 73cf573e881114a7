"""Jobs of the audit app (run by `yigongti worker`): the nightly seal of the closed days' chains."""
from django.utils import timezone

from yigongti.jobs.registry import job_handler

from . import chain
from .schedule import periodic, schedule_next

SEAL_KIND = "audit.seal"


@periodic(SEAL_KIND, hour=0, minute=30)
@job_handler(SEAL_KIND)
def seal(job, **_payload):
    """Seal (HMAC) the end of every chain of a day before today that has no seal yet, then queue the next
    night's run."""
    sealed = chain.seal_closed_days(timezone.localdate())
    schedule_next(SEAL_KIND, exclude_id=job.pk)
    return {"sealed": sealed}
