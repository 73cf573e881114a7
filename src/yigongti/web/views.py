from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .landing import landing_sections


@login_required
def home(request):
    """The role landing page: today's work from the inbox and the role's own figures."""
    return render(request, "web/home.html", {"sections": landing_sections(request)})


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})
