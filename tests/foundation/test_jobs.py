"""The database-backed job queue: claim once, retry with back-off, fail visibly."""
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from yigongti.jobs import queue
from yigongti.jobs.models import Job, JobState
from yigongti.jobs.registry import job_handler
from yigongti.rules.backoff import retry_delay_seconds

RUNS: list[int] = []


@job_handler("tests.count")
def count_job(job, n=1):
    RUNS.append(job.pk)
    return {"n": n}


@job_handler("tests.fail")
def failing_job(job):
    raise ValueError("boom")


@pytest.fixture(autouse=True)
def _clear():
    RUNS.clear()


def test_backoff_rule():
    assert [retry_delay_seconds(a) for a in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay_seconds(50) == 3600
    with pytest.raises(ValueError):
        retry_delay_seconds(0)


def test_it_runs_a_due_job_once(db):
    job = queue.enqueue("tests.count", {"n": 3})
    assert queue.run_pending() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.result == {"n": 3} and job.attempts == 1
    assert queue.run_pending() == 0
    assert RUNS == [job.pk]


def test_it_waits_for_run_after(db):
    queue.enqueue("tests.count", run_after=timezone.now() + dt.timedelta(hours=1))
    assert queue.run_pending() == 0


def test_a_failed_job_is_retried_with_backoff_then_marked_failed(db):
    job = queue.enqueue("tests.fail", max_attempts=2)
    before = timezone.now()
    queue.run_pending()
    job.refresh_from_db()
    assert job.state == JobState.RETRYING and job.attempts == 1 and "boom" in job.last_error
    assert job.claimed_at is None and job.run_after >= before + dt.timedelta(seconds=29)
    assert queue.run_pending() == 0  # not due yet
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    queue.run_pending()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 2 and job.finished_at is not None


def test_a_claim_whose_lease_ran_out_is_taken_again(db, settings):
    job = queue.enqueue("tests.count")
    stale = timezone.now() - dt.timedelta(seconds=settings.JOBS_LEASE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, claimed_at=stale, claimed_by="dead:1")
    assert queue.run_pending() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_a_job_claimed_by_one_worker_is_never_run_twice():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    jobs = [queue.enqueue("tests.count").pk for _ in range(20)]
    barrier = threading.Barrier(4)
    errors = []

    def worker(name):
        try:
            barrier.wait()
            queue.run_pending(worker=name)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(RUNS) == sorted(jobs)  # every job ran, none twice
    assert Job.objects.filter(state=JobState.DONE).count() == 20


def test_the_admin_page_lists_failed_jobs(client, db, django_user_model):
    from yigongti.org.models import Area, Institution, Membership, Role, StaffRole

    county = Area.objects.create(code="360199", name="测试县", level="county")
    inst = Institution.objects.create(code="T1", name="测试县人民医院", tier="county", kind="general_hospital",
                                      area=county)
    admin = django_user_model.objects.create_user("sysadmin", password="x-Password-123")
    StaffRole.objects.create(membership=Membership.objects.create(user=admin, institution=inst), role=Role.SYSTEM_ADMIN)
    outsider = django_user_model.objects.create_user("outsider", password="x-Password-123")
    StaffRole.objects.create(membership=Membership.objects.create(user=outsider, institution=inst),
                             role=Role.TOWNSHIP_DOCTOR)
    job = queue.enqueue("tests.fail", max_attempts=1)
    queue.run_pending()
    client.force_login(admin)
    response = client.get("/jobs/?state=failed")
    assert response.status_code == 200
    assert "tests.fail" in response.content.decode() and "boom" in response.content.decode()
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    client.force_login(outsider)
    assert client.get("/jobs/").status_code == 403


@job_handler("tests.audited")
def audited_job(job):
    from yigongti.audit.log import record_export

    record_export(job.created_by, object_type="tests.thing", count=1)


def test_what_a_job_audits_is_marked_as_coming_from_a_job(db, django_user_model):
    from yigongti.audit.models import AuditEntry

    user = django_user_model.objects.create_user("queuer", password="x-Long-password-1")
    queue.enqueue("tests.audited", created_by=user)
    assert queue.run_pending() == 1
    entry = AuditEntry.objects.get(object_type="tests.thing")
    assert entry.channel == "job" and entry.user_id == user.pk
