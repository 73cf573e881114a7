from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .actions import complete_task
from .models import TaskState
from .queries import tasks_for


@login_required
def task_list(request):
    state = request.GET.get("state", TaskState.OPEN)
    if state not in TaskState.values:
        state = TaskState.OPEN
    page = Paginator(tasks_for(request.user, state).select_related("institution"), 50).get_page(request.GET.get("page"))
    return render(request, "tasks/list.html", {"page": page, "state": state, "states": TaskState.choices})


@login_required
@require_POST
def complete(request, pk: int):
    task = get_object_or_404(tasks_for(request.user, None), pk=pk)  # 404 for a to-do that is not mine
    try:
        complete_task(request.user, task)
    except (ValidationError, PermissionDenied):
        messages.error(request, _("该待办已处理或不属于您"))
    else:
        messages.success(request, _("已完成：%(title)s") % {"title": task.title})
    return redirect(request.POST.get("next") or "tasks:list")
