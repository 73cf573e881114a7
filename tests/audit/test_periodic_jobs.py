"""The nightly audit seal and the login-history purge are periodic jobs on the database queue (issue 16):
each run seals / purges and queues the next night's run; `ensure_scheduled` restores a lost schedule."""
import datetime as dt
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from yigongti.audit.jobs import SEAL_KIND
from yigongti.audit.log import record_export
from yigongti.audit.models import AuditChainHead, AuditSeal
from yigongti.audit.schedule import Periodic, declared, ensure_scheduled, next_run
from yigongti.jobs.models import Job
from yigongti.jobs.queue import run
from yigongti.org.models import LoginEvent
from yigongti.web.jobs import PURGE_KIND

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _due(kind):
    return Job.objects.filter(kind=kind, state="queued").order_by("id")


def _run_now(kind):
    """Claim and run the queued job of ``kind`` as the worker would (its time has come)."""
    job = _due(kind).get()
    Job.objects.filter(pk=job.pk).update(claimed_at=timezone.now(), claimed_by="test", state="running",
                                         run_after=timezone.now())
    job.refresh_from_db()
    run(job)
    job.refresh_from_db()
    assert job.state == "done", job.last_error
    return job


def test_the_next_run_is_the_next_local_time():
    spec = Periodic("x", hour=0, minute=30)
    before = dt.datetime(2026, 11, 23, 0, 10, tzinfo=SHANGHAI)
    after = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    assert next_run(spec, before) == dt.datetime(2026, 11, 23, 0, 30, tzinfo=SHANGHAI)
    assert next_run(spec, after) == dt.datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI)


def test_both_jobs_are_declared_and_scheduled_once(db):
    assert {SEAL_KIND, PURGE_KIND} <= set(declared())
    assert set(ensure_scheduled()) >= {SEAL_KIND, PURGE_KIND}
    assert ensure_scheduled() == []  # idempotent
    call_command("audit", "schedule")
    assert _due(SEAL_KIND).count() == 1 and _due(PURGE_KIND).count() == 1
    assert timezone.localtime(_due(SEAL_KIND).get().run_after).strftime("%H:%M") == "00:30"


def test_the_nightly_seal_seals_yesterday_and_queues_tomorrow(scenario):
    yesterday = timezone.now() - dt.timedelta(days=1)
    record_export(scenario.township_doctor, object_type="people.Resident", count=1)
    AuditChainHead.objects.create(chain_key=f"0:{timezone.localdate(yesterday)}", day=timezone.localdate(yesterday),
                                  seq=1, last_hash="ab" * 32)
    ensure_scheduled()
    job = _run_now(SEAL_KIND)
    assert job.result["sealed"] >= 1
    assert AuditSeal.objects.filter(day=timezone.localdate(yesterday)).exists()
    assert not AuditSeal.objects.filter(day=timezone.localdate()).exists()  # today's chain is still open
    assert _due(SEAL_KIND).count() == 1  # tomorrow's run


def test_the_purge_keeps_six_months_at_least(scenario, settings):
    settings.YIGONGTI_LOGIN_HISTORY_DAYS = 30  # a too-short setting is raised to 183 days
    old = LoginEvent.objects.create(username="x", kind="login")
    recent = LoginEvent.objects.create(username="y", kind="login")
    LoginEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=200))
    LoginEvent.objects.filter(pk=recent.pk).update(at=timezone.now() - dt.timedelta(days=170))
    ensure_scheduled()
    job = _run_now(PURGE_KIND)
    assert job.result == {"deleted": 1, "kept_days": 183}
    assert list(LoginEvent.objects.filter(pk__in=[old.pk, recent.pk]).values_list("pk", flat=True)) == [recent.pk]
    assert _due(PURGE_KIND).count() == 1
