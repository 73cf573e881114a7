"""The to-dos a user sees: addressed to them, to a role they hold at that institution, or to a group
they belong to (resolved by the group's owning app)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from yigongti.org.access import roles_by_institution

from .actions import group_resolvers
from .models import Task, TaskState


def tasks_for(user, state: str | None = TaskState.OPEN) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    q = Q(assignee=user)
    for institution_id, roles in roles_by_institution(user).items():
        if roles:
            q |= Q(institution_id=institution_id, role__in=roles)
    for kind, resolver in group_resolvers().items():
        q |= Q(group_kind=kind, group_id__in=_group_ids(kind, resolver, user))
    qs = Task.objects.filter(q)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("due_at", "id")


def _group_ids(kind, resolver, user) -> list[int]:
    ids = Task.objects.filter(group_kind=kind, state=TaskState.OPEN).values_list("group_id", flat=True).distinct()
    return [gid for gid in ids if resolver(gid).filter(pk=user.pk).exists()]


def todays_work(user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    open_tasks = list(tasks_for(user)[:200])
    end_of_today = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    start_of_today = end_of_today - dt.timedelta(days=1)
    overdue = [t for t in open_tasks if t.due_at and t.due_at < start_of_today]
    due_today = [t for t in open_tasks if t.due_at and start_of_today <= t.due_at < end_of_today]
    later = [t for t in open_tasks if t not in overdue and t not in due_today]
    return {"overdue": overdue, "today": due_today, "later": later[:20], "total": len(open_tasks)}
