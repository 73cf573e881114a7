"""Timed work of the experts app: the release of a session's unbooked reserved slots (queued with
``run_after`` = the session's release time when the session is made; see actions.release_reserved)."""
from yigongti.jobs.registry import job_handler

from . import actions


@job_handler(actions.RELEASE_JOB)
def release_reserved(job, session_id: int) -> dict:
    return {"released": actions.release_reserved(session_id)}
