"""Timed work of the diagnostics app (the ``yigongti worker`` runs it): critical-value escalation."""
from __future__ import annotations

from django.utils import timezone

from yigongti.jobs.registry import job_handler
from yigongti.rules import diagnostics as rules

from . import actions, conf
from .models import CriticalValue


@job_handler(actions.ESCALATE_JOB)
def escalate_critical_value(job, critical_value: int, **_):
    """Queued when the value is marked, to run when its time is up. If the setting grew meanwhile and the
    time is not up yet, the job queues itself again for the new time."""
    if actions.escalate(critical_value):
        return {"escalated": True}
    cv = CriticalValue.objects.filter(pk=critical_value).first()
    if cv is not None and cv.acknowledged_at is None and cv.escalated_at is None:
        due = rules.escalation_due_at(cv.marked_at, int(conf.get("ESCALATION_MINUTES")))
        if due > timezone.now():
            from yigongti.jobs.queue import enqueue

            enqueue(actions.ESCALATE_JOB, {"critical_value": cv.pk}, run_after=due)
            return {"escalated": False, "requeued_for": due.isoformat()}
    return {"escalated": False}
