"""Periodic jobs on the database job queue (issue 16: the nightly audit seal, the login-history purge).

An app declares a periodic job in its ``jobs.py`` next to its handler:

    @periodic("audit.seal", hour=0, minute=30)      # every day at 00:30 Asia/Shanghai
    @job_handler("audit.seal")
    def seal(job, **payload): ...

Each run queues the next one in its own transaction (``run_after`` = the next local time), so there is
always exactly one queued run per kind. ``ensure_scheduled()`` queues a run for any declared kind that has
none (after a failure that used up its attempts, or on a new database); the worker's start, the demo and
``yigongti audit schedule`` call it. It is idempotent."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

PENDING_STATES = ("queued", "running", "retrying")


@dataclass(frozen=True)
class Periodic:
    kind: str
    hour: int
    minute: int = 0


_periodic: dict[str, Periodic] = {}


def periodic(kind: str, *, hour: int, minute: int = 0) -> Callable:
    """Declare ``kind`` as a daily job at ``hour:minute`` local time (decorates its handler)."""
    _periodic[kind] = Periodic(kind, hour, minute)

    def register(func):
        return func

    return register


def declared() -> dict[str, Periodic]:
    from yigongti.jobs.registry import autodiscover

    autodiscover()
    return dict(_periodic)


def next_run(spec: Periodic, now: dt.datetime | None = None) -> dt.datetime:
    """The next local ``hour:minute`` strictly after ``now``."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=spec.hour, minute=spec.minute, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


def schedule_next(kind: str, now: dt.datetime | None = None, *, exclude_id: int | None = None):
    """Queue the next run of ``kind`` unless one is already pending (other than ``exclude_id``, the
    running job itself). Returns the new job or None."""
    from yigongti.jobs.models import Job
    from yigongti.jobs.queue import enqueue

    spec = declared()[kind]
    pending = Job.objects.filter(kind=kind, state__in=PENDING_STATES)
    if exclude_id is not None:
        pending = pending.exclude(pk=exclude_id)
    if pending.exists():
        return None
    return enqueue(kind, {}, run_after=next_run(spec, now), max_attempts=3)


def ensure_scheduled(now: dt.datetime | None = None) -> list[str]:
    """Queue every declared periodic job that has no pending run. Returns the kinds queued."""
    queued = []
    with transaction.atomic():
        for kind in sorted(declared()):
            if schedule_next(kind, now) is not None:
                queued.append(kind)
    return queued
