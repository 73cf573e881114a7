"""The import page of the programme engine is people's import page (same upload, job and error report) with
the chronic kinds chosen."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse


@login_required
def upload(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in ("chronic_enrolments", "chronic_followups") \
        else "chronic_enrolments"
    return redirect(f"{reverse('people:import_upload')}?kind={kind}")
