"""Unbooked reserved slots open to everyone at the configured time before the session: the job marks the
session released; the booking check follows the clock even before the job ran."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yigongti.experts import actions
from yigongti.experts.models import Session
from yigongti.jobs.models import Job
from yigongti.jobs.queue import run_pending

from . import helpers


def test_the_release_time_follows_the_setting(scenario, settings):
    settings.YIGONGTI_EXPERTS = {"RELEASE_HOURS_BEFORE": 6}
    session = helpers.session(scenario)
    assert session.release_at == session.starts_at - dt.timedelta(hours=6)


def test_the_job_releases_at_its_time(scenario):
    s = scenario
    session = helpers.session(s, capacity=1, reserved=1)
    job = Job.objects.get(kind=actions.RELEASE_JOB, payload__session_id=session.pk)
    assert job.run_after == session.release_at
    assert not actions.release_reserved(session.pk, now=session.release_at - dt.timedelta(seconds=1))
    Job.objects.filter(pk=job.pk).update(run_after=job.run_after - dt.timedelta(days=30))
    Session.objects.filter(pk=session.pk).update(release_at=session.release_at - dt.timedelta(days=30))
    run_pending()
    assert Session.objects.get(pk=session.pk).released_at is not None
    b = actions.book_slot(s.township_doctor, Session.objects.get(pk=session.pk), helpers.resident(s))
    assert b.slot.reserved


def test_before_the_release_time_the_reserved_part_stays_closed(scenario):
    s = scenario
    session = helpers.session(s, capacity=1, reserved=1)
    with pytest.raises(ValidationError) as exc:
        actions.book_slot(s.township_doctor, session, helpers.resident(s),
                          now=session.release_at - dt.timedelta(minutes=1))
    assert "slot" in exc.value.message_dict
    b = actions.book_slot(s.township_doctor, session, helpers.resident(s), now=session.release_at)
    assert b.slot.reserved
