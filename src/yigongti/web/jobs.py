"""Jobs of the account pages (run by `yigongti worker`): the nightly purge of login history older than
the retention (YIGONGTI_LOGIN_HISTORY_DAYS, never less than 183 days: 等保 keeps logs ≥ 6 months)."""
from yigongti.audit.schedule import periodic, schedule_next
from yigongti.jobs.registry import job_handler

from . import accounts

PURGE_KIND = "web.purge_login_history"


@periodic(PURGE_KIND, hour=3, minute=10)
@job_handler(PURGE_KIND)
def purge_login_history(job, **_payload):
    deleted = accounts.purge_login_history()
    schedule_next(PURGE_KIND, exclude_id=job.pk)
    return {"deleted": deleted, "kept_days": accounts.retention_days()}
