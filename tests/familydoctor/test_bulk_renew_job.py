"""Year-end bulk renewal runs as a job (jobs app) on behalf of the team member who asked: every expiring contract
renewed in chunks, a refused one reported with its reason and left as it was; an outsider cannot queue it."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.familydoctor import actions, jobs
from yigongti.familydoctor.models import Contract
from yigongti.jobs.models import Job, JobState

from .conftest import register, sign


def _run_all():
    """What `yigongti worker` does, inside the test's transaction: run each queued job of the kind in turn."""
    results = []
    while True:
        job = Job.objects.filter(kind=actions.BULK_RENEW_JOB, state=JobState.QUEUED).order_by("pk").first()
        if job is None:
            return results
        result = jobs.bulk_renew(job, **job.payload)
        Job.objects.filter(pk=job.pk).update(state=JobState.DONE, result=result)
        results.append(result)


def test_bulk_renewal_job_renews_in_chunks_and_reports_refusals(scenario, team, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK", 2)
    residents = [register(scenario, name=f"续约{n}") for n in range(4)]
    old = [sign(scenario, team, r, start_date=dt.date(2026, 1, 1)) for r in residents[:3]]
    later = sign(scenario, team, residents[3], start_date=dt.date(2026, 6, 1))
    refused = Contract.objects.filter(pk=old[1].pk)
    refused.update(doctor=scenario.village_doctor_a)
    actions.remove_member(scenario.township_doctor, team.members.get(user=scenario.village_doctor_a))

    job = actions.request_bulk_renew(scenario.township_doctor, team, ending_by=dt.date(2026, 12, 31))
    assert job.created_by == scenario.township_doctor
    results = _run_all()
    assert len(results) == 2 and results[-1]["done"]
    assert results[-1]["renewed"] == 2
    assert [r[0] for r in results[-1]["refused"]] == [old[1].pk]
    assert "责任医生" in results[-1]["refused"][0][1]
    for c in (old[0], old[2]):
        new = Contract.objects.get(renewed_from=c)
        assert (new.status, new.start_date, new.end_date) == ("active", dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert Contract.objects.get(pk=old[1].pk).status == "active"
    assert Contract.objects.get(pk=later.pk).status == "active"  # ends 2027-05-31: not due


def test_only_team_members_queue_it(scenario, team):
    sign(scenario, team, register(scenario, name="续约外"), start_date=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        actions.request_bulk_renew(scenario.other_township_doctor, team, ending_by=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError):
        actions.request_bulk_renew(scenario.township_doctor, team, ending_by=dt.date(2026, 3, 1))
    assert not Job.objects.filter(kind=actions.BULK_RENEW_JOB).exists()
