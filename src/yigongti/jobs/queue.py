"""Enqueue, claim, run, retry. Pure database: no broker."""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yigongti.audit.context import AuditContext, bind
from yigongti.rules.backoff import retry_delay_seconds

from .models import Job, JobState
from .registry import handler_for

log = logging.getLogger("yigongti.jobs")


def enqueue(kind: str, payload: dict | None = None, *, run_after: dt.datetime | None = None,
            max_attempts: int | None = None, created_by=None) -> Job:
    """Queue a job. Inside an action's transaction the job exists only if the action commits."""
    return Job.objects.create(
        kind=kind,
        payload=payload or {},
        run_after=run_after or timezone.now(),
        max_attempts=max_attempts or settings.JOBS_MAX_ATTEMPTS,
        created_by=created_by,
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_next(worker: str, now: dt.datetime | None = None) -> Job | None:
    """Claim one due job. The conditional UPDATE decides; a lost race just tries the next candidate."""
    now = now or timezone.now()
    lease = now - dt.timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    due = Job.objects.filter(
        Q(state__in=[JobState.QUEUED, JobState.RETRYING], claimed_at__isnull=True, run_after__lte=now)
        | Q(state=JobState.RUNNING, claimed_at__lt=lease)  # a worker that vanished: its lease ran out
    ).order_by("run_after", "id")
    for job_id, claimed_at in due.values_list("id", "claimed_at")[:10]:
        still_free = Q(claimed_at__isnull=True) if claimed_at is None else Q(claimed_at=claimed_at)
        won = Job.objects.filter(still_free, pk=job_id).update(
            claimed_at=now, claimed_by=worker, state=JobState.RUNNING
        )
        if won == 1:
            return Job.objects.get(pk=job_id)
    return None


def run(job: Job) -> None:
    """Run a claimed job in its own transaction; on failure release it with back-off or mark it failed."""
    job.attempts += 1
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts)
    # What a job writes to the audit log says it came from a job, on behalf of whoever queued it.
    ctx = AuditContext(user_id=job.created_by_id, channel="job", request_id=f"job-{job.pk}")
    try:
        with bind(ctx), transaction.atomic(durable=True):
            result = handler_for(job.kind)(job, **job.payload)
    except Exception as exc:  # a job's failure must never kill the worker
        log.warning("job %s failed (attempt %s): %s", job, job.attempts, exc)
        error = "".join(traceback.format_exception(exc))[-4000:]
        if job.attempts >= job.max_attempts:
            Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, last_error=error,
                                                 finished_at=timezone.now())
        else:
            delay = retry_delay_seconds(job.attempts)
            Job.objects.filter(pk=job.pk).update(
                state=JobState.RETRYING, last_error=error, claimed_at=None, claimed_by="",
                run_after=timezone.now() + dt.timedelta(seconds=delay),
            )
        return
    Job.objects.filter(pk=job.pk).update(state=JobState.DONE, finished_at=timezone.now(),
                                         result=result or {}, last_error="")


def run_pending(worker: str | None = None, limit: int | None = None) -> int:
    """Run due jobs until none is left (or ``limit``); returns how many ran. Tests and the worker use it."""
    worker = worker or worker_name()
    ran = 0
    while limit is None or ran < limit:
        job = claim_next(worker)
        if job is None:
            break
        run(job)
        ran += 1
    return ran


def set_progress(job: Job, **progress) -> None:
    """Report progress from inside a running job (visible on the page while it runs)."""
    Job.objects.filter(pk=job.pk).update(progress=progress)


def retry_now(job: Job) -> None:
    Job.objects.filter(pk=job.pk, state__in=[JobState.FAILED, JobState.RETRYING]).update(
        state=JobState.QUEUED, claimed_at=None, claimed_by="", run_after=timezone.now(),
        attempts=0, finished_at=None,
    )
