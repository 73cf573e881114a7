"""Issue 17: the nightly enrolment of the population programmes (chronic/nightly.py, job
``chronic.population_enrolment``). With a frozen clock: a resident turning 65 tomorrow is enrolled by
tomorrow's run and not today's; a newborn without an ID number is enrolled; a child's enrolment ends on the
7th birthday (spec §Child "0–6岁"); a second run changes nothing; the dead, the moved away and the non-常住
are not enrolled; the job batches, continues and queues the next night."""
import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yigongti.audit.models import AuditEntry
from yigongti.audit.schedule import ensure_scheduled
from yigongti.chronic import actions, nightly
from yigongti.chronic.jobs import ENROLMENT_KIND
from yigongti.chronic.models import Enrolment
from yigongti.jobs.models import Job
from yigongti.jobs.queue import run
from yigongti.people import actions as people
from yigongti.people.models import Resident
from yigongti.rules.chronic import add_months

from . import helpers

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 23)


def at(day: dt.date, hour: int = 2):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False)


def enrolments(resident, programme):
    return list(Enrolment.objects.filter(resident=resident, programme=programme))


def test_a_resident_turning_65_tomorrow_is_enrolled_by_tomorrows_run_not_todays(scenario):
    tomorrow = TODAY + dt.timedelta(days=1)
    with at(TODAY):
        elder = helpers.resident(scenario, name="明天六十五", born=add_months(tomorrow, -12 * 65))
        nightly.run()
        assert enrolments(elder, "older") == []
    with at(tomorrow):
        result = nightly.run()
    [e] = enrolments(elder, "older")
    assert result["enrolled"]["older"] >= 1 and result["more"] is False
    assert (e.status, e.enrolled_on, e.managing_institution_id) == ("active", tomorrow, scenario.clinic_a.pk)
    assert e.next_due == tomorrow    # due from enrolment (rules.older.first_due)
    entry = AuditEntry.objects.get(object_type="chronic.Enrolment", object_id=str(e.pk), action="create")
    assert entry.institution_id == scenario.clinic_a.pk and entry.user_id is None


def test_a_newborn_without_an_id_number_is_enrolled_with_the_newborn_visit_due(scenario):
    with at(TODAY):
        baby = helpers.resident(scenario, name="新生儿", born=TODAY, sex="2")
        assert baby.document_type == "none"
        nightly.run()
    [e] = enrolments(baby, "child")
    assert e.enrolled_on == TODAY and e.next_due == TODAY + dt.timedelta(days=7)
    assert e.managing_institution_id == scenario.clinic_a.pk


def test_a_child_enrolment_ends_on_the_7th_birthday(scenario):
    born = dt.date(2019, 11, 25)
    with at(TODAY):
        kid = helpers.resident(scenario, name="六岁儿童", born=born)
        nightly.run()
        [e] = enrolments(kid, "child")
        assert e.status == "active"
    with at(dt.date(2026, 11, 24)):              # still 6
        nightly.run()
        e.refresh_from_db()
        assert e.status == "active"
    with at(dt.date(2026, 11, 27)):              # the job did not run on the birthday: it ends on that day
        result = nightly.run()
    e.refresh_from_db()
    assert (e.status, e.leave_reason, e.left_on) == ("left", "aged_out", dt.date(2026, 11, 25))
    assert result["ended"]["child"] == 1
    assert len(enrolments(kid, "child")) == 1    # not enrolled again: no longer 0–6
    assert AuditEntry.objects.filter(object_type="chronic.Enrolment", object_id=str(e.pk), action="update",
                                     reason="leave:aged_out").exists()


def test_running_again_changes_nothing(scenario):
    with at(TODAY):
        helpers.resident(scenario, name="老人甲", born=dt.date(1950, 1, 1))
        helpers.resident(scenario, name="幼儿乙", born=dt.date(2024, 5, 1), village="village_b")
        first = nightly.run()
        count, audit = Enrolment.objects.count(), AuditEntry.objects.count()
        second = nightly.run()
    assert first["enrolled"] == {"older": 1, "child": 1}
    assert second["enrolled"] == {"older": 0, "child": 0} and second["ended"] == {"child": 0}
    assert (Enrolment.objects.count(), AuditEntry.objects.count()) == (count, audit)


def test_the_dead_the_moved_away_and_the_non_resident_are_not_enrolled(scenario):
    with at(TODAY):
        dead = helpers.resident(scenario, name="已故老人", born=dt.date(1940, 1, 1))
        people.record_death(scenario.village_doctor_a, dead, dt.date(2026, 10, 1))
        moved = helpers.resident(scenario, name="迁出老人", born=dt.date(1941, 1, 1))
        people.record_move_away(scenario.village_doctor_a, moved, dt.date(2026, 9, 1))
        away = helpers.resident(scenario, name="外出务工", born=dt.date(1942, 1, 1))
        Resident.objects.filter(pk=away.pk).update(is_resident=False)       # not 常住
        away_child = helpers.resident(scenario, name="随迁儿童", born=dt.date(2023, 1, 1))
        Resident.objects.filter(pk=away_child.pk).update(is_resident=False)
        nightly.run()
    assert not Enrolment.objects.filter(resident__in=[dead, moved, away, away_child]).exists()


def test_an_ended_enrolment_is_not_restarted_and_no_institution_is_only_counted(scenario):
    with at(TODAY):
        lost = helpers.resident(scenario, name="失访老人", born=dt.date(1945, 1, 1))
        e = actions.enrol(scenario.village_doctor_a, resident=lost, programme="older",
                          managing_institution=scenario.clinic_a, enrolled_on=dt.date(2025, 1, 1))
        actions.leave_programme(scenario.village_doctor_a, e, reason="lost", left_on=dt.date(2026, 6, 1))
        orphan = helpers.resident(scenario, name="无建档机构", born=dt.date(1946, 1, 1))
        Resident.objects.filter(pk=orphan.pk).update(managing_institution=None)
        result = nightly.run()
    assert len(enrolments(lost, "older")) == 1 and enrolments(orphan, "older") == []
    assert result["unattributed"]["older"] == 1


def test_candidates_are_found_in_constant_queries(scenario):
    with at(TODAY):
        for i in range(3):
            helpers.resident(scenario, name=f"在管老人{i}", born=dt.date(1950, 1, 1 + i))
        nightly.run()
        with CaptureQueriesContext(connection) as few:
            nightly.run()
        for i in range(12):
            helpers.resident(scenario, name=f"更多老人{i}", born=dt.date(1951, 1, 1 + i))
        nightly.run()
        with CaptureQueriesContext(connection) as many:
            nightly.run()
    assert len(few) == len(many) <= 8


def _run_queued(kind):
    job = Job.objects.filter(kind=kind, state="queued").order_by("id").first()
    Job.objects.filter(pk=job.pk).update(claimed_at=timezone.now(), claimed_by="test", state="running")
    job.refresh_from_db()
    run(job)
    job.refresh_from_db()
    assert job.state == "done", job.last_error
    return job


def test_the_periodic_job_batches_continues_and_queues_the_next_night(scenario, monkeypatch):
    monkeypatch.setattr(nightly, "BATCH", 2)
    with at(TODAY, hour=9):
        people_made = [helpers.resident(scenario, name=f"批量老人{i}", born=dt.date(1950, 2, 1 + i))
                       for i in range(3)]
        assert ENROLMENT_KIND in ensure_scheduled()
        job = Job.objects.get(kind=ENROLMENT_KIND, state="queued")
        assert timezone.localtime(job.run_after).strftime("%H:%M") == "01:30"
    with at(TODAY + dt.timedelta(days=1), hour=2):     # the worker runs it after 01:30
        first = _run_queued(ENROLMENT_KIND)
        assert first.result["more"] is True
        cont = Job.objects.get(kind=ENROLMENT_KIND, state="queued")
        assert cont.payload["date"] == "2026-11-24" and cont.payload["after"]
        second = _run_queued(ENROLMENT_KIND)
        assert second.result["more"] is False
        nxt = Job.objects.get(kind=ENROLMENT_KIND, state="queued")
        assert timezone.localtime(nxt.run_after).date() == dt.date(2026, 11, 25)
    assert all(len(enrolments(r, "older")) == 1 for r in people_made)


def test_the_command_runs_it_once(scenario, capsys):
    with at(TODAY, hour=10):
        baby = helpers.resident(scenario, name="命令新生儿", born=TODAY - dt.timedelta(days=3))
        call_command("chronic", "enrol-population", "--batch", "1")
    out = capsys.readouterr().out
    assert "enrolled" in out and len(enrolments(baby, "child")) == 1
