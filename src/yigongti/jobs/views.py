from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from yigongti.org.access import role_required
from yigongti.org.models import Role

from .models import Job, JobState
from .queue import retry_now


@role_required(Role.SYSTEM_ADMIN)
def job_list(request):
    jobs = Job.objects.all()
    state = request.GET.get("state", "")
    if state in JobState.values:
        jobs = jobs.filter(state=state)
    page = Paginator(jobs.only("id", "kind", "state", "attempts", "max_attempts", "run_after", "created_at",
                               "finished_at", "last_error", "claimed_by"), 50).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "states": JobState.choices, "state": state})


@role_required(Role.SYSTEM_ADMIN)
@require_POST
def retry(request, job_id: int):
    retry_now(get_object_or_404(Job, pk=job_id))
    return redirect("jobs:list")
