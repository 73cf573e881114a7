"""The one way any app creates a to-do, and the one way it is completed."""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.org.models import Role

from .models import Task, TaskState

GroupResolver = Callable[[int], object]  # group id -> QuerySet[User]
_resolvers: dict[str, GroupResolver] = {}


def register_group_resolver(kind: str, resolver: GroupResolver) -> None:
    """An app that owns groups (family-doctor teams) turns a group into its members."""
    _resolvers[kind] = resolver


def group_resolvers() -> dict[str, GroupResolver]:
    return dict(_resolvers)


@transaction.atomic
def create_task(*, title: str, kind: str = "", assignee=None, role: str | None = None, institution=None,
                group: tuple[str, int] | None = None, due_at=None, source=None, source_url: str = "",
                created_by=None) -> Task:
    if not title.strip():
        raise ValidationError({"title": _("请填写待办事项")})
    if role and role not in Role.values:
        raise ValidationError({"role": _("未知角色")})
    if role and institution is None:
        raise ValidationError({"institution": _("按角色指派时须指定机构")})
    if group is not None and group[0] not in _resolvers:
        raise ValidationError({"group": _("未登记的群组类型：%(kind)s") % {"kind": group[0]}})
    if assignee is None and not role and group is None:
        raise ValidationError({"assignee": _("须指定人员、角色或群组")})
    task = Task(title=title.strip()[:200], kind=kind, assignee=assignee, role=role or "", institution=institution,
                due_at=due_at, created_by=created_by, source_url=source_url)
    if group is not None:
        task.group_kind, task.group_id = group
    if source is not None:
        task.source_type, task.source_id, task.source_display = source._meta.label, str(source.pk), str(source)[:120]
    task.save()
    return task


def is_addressed_to(task: Task, user) -> bool:
    from yigongti.org.access import roles_by_institution

    if task.assignee_id is not None and task.assignee_id == user.pk:
        return True
    if task.role and task.role in roles_by_institution(user).get(task.institution_id, set()):
        return True
    if task.group_kind and task.group_kind in _resolvers:
        return _resolvers[task.group_kind](task.group_id).filter(pk=user.pk).exists()
    return False


@transaction.atomic
def complete_task(user, task: Task) -> Task:
    if not is_addressed_to(task, user):
        raise PermissionDenied
    updated = Task.objects.filter(pk=task.pk, state=TaskState.OPEN).update(
        state=TaskState.DONE, completed_by=user, completed_at=timezone.now())
    if not updated:
        raise ValidationError({"state": _("该待办已处理")})
    task.refresh_from_db()
    return task
