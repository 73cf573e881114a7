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
    # the user's own account pages (issue 16): they take no ids, so nobody reaches another user's data
    "otp_setup": Case.signed_in(note="binds a device to the caller only"),
    "otp_verify": Case.signed_in(note="verifies the caller's own device"),
    "otp_recovery_codes": Case("signed_in", method="POST", payload=lambda s: {}, note="POST: new codes for the caller (verified session only)"),
    "otp_disable": Case("signed_in", method="POST", payload=lambda s: {}, note="POST: the caller's own devices, never for a 2FA role"),
    "account_security": Case.signed_in(),
    "sign_out_all": Case("signed_in", method="POST", payload=lambda s: {}, note="POST: ends the caller's own sessions"),
    "login_history": Case.signed_in(),
    "set_language": Case.public("language switch"),
    "admin:*": Case.django_admin(),
    "jobs:list": Case.roles({Role.SYSTEM_ADMIN}),
    "jobs:retry": Case.roles({Role.SYSTEM_ADMIN}, kwargs=_failed_job, method="POST", payload=lambda s: {}),
    "api:root": Case.signed_in(api=True),
    "api:me": Case.signed_in(api=True),
    "api:schema": Case.signed_in(api=True),
}
