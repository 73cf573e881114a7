"""Frame, accounts, API base, jobs and Django admin."""
from yigongti.jobs.queue import enqueue
from yigongti.org.models import Role

from ..framework import Case


def _failed_job(s):
    job = enqueue("tests.isolation", max_attempts=1)
    job.state = "failed"
    job.save()
    return {"job_id": job.pk}


CASES = {
    "home": Case.signed_in(),
    "healthz": Case.public("health check"),
    "login": Case.public("login page"),
    "logout": Case.public("POST only; ends the caller's own session"),
    "password_change": Case.signed_in(),
    "set_language": Case.public("language switch"),
    "admin:*": Case.django_admin(),
    "jobs:list": Case.roles({Role.SYSTEM_ADMIN}),
    "jobs:retry": Case.roles({Role.SYSTEM_ADMIN}, kwargs=_failed_job, method="POST", payload=lambda s: {}),
    "api:root": Case.signed_in(api=True),
    "api:me": Case.signed_in(api=True),
    "api:schema": Case.signed_in(api=True),
}
