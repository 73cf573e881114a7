"""The county worklist: urgent then oldest first, a reader claims, writes from a template, signs, publishes;
revisions keep the history; lab results carry reference ranges and flags."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.diagnostics import actions, queries
from yigongti.diagnostics.models import Report, Template
from yigongti.tasks.models import Task

from . import helpers

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def test_the_worklist_is_per_modality_urgent_then_oldest(scenario):
    s = scenario
    made = {}
    for minutes, name, code, priority in [(0, "routine-old", "ECG12", "routine"), (10, "urgent-old", "ECG12", "urgent"),
                                          (20, "ct", "CT-HEAD", "stat"), (30, "stat-new", "ECG12", "stat"),
                                          (40, "urgent-new", "ECG12", "urgent")]:
        with time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False):
            made[name] = helpers.request(s, code, priority=priority)
    names = {r.pk: n for n, r in made.items()}
    with time_machine.travel(T0 + dt.timedelta(minutes=51), tick=False):
        ecg = list(queries.worklist(s.county_specialist, modality="ecg"))
        assert [names[r.pk] for r in ecg] == ["stat-new", "urgent-old", "urgent-new", "routine-old"]
        assert [queries.timer(r) for r in ecg] == ["on_time", "on_time", "on_time", "on_time"]
        assert queries.timer(made["ct"]) == "overdue"  # stat, 31 minutes old > 30
    assert list(queries.worklist(s.township_doctor)) == []
    assert len(list(queries.worklist(s.county_specialist))) == 5


def test_read_report_sign_publish(scenario):
    s = scenario
    r = helpers.request(s)
    with pytest.raises(PermissionDenied):
        actions.claim_request(s.township_doctor, r)
    actions.claim_request(s.county_specialist, r)
    assert r.status == "claimed" and r.reader == s.county_specialist and r.claimed_at
    template = Template.objects.get(modality="ecg", name="正常心电图")
    with pytest.raises(ValidationError):
        actions.save_report(s.county_specialist, r, template=Template.objects.get(modality="ct"))
    report = actions.save_report(s.county_specialist, r, template=template, impression="窦性心律。")
    assert report.findings == template.findings and report.impression == "窦性心律。"
    again = actions.save_report(s.county_specialist, r, findings="改过", impression="窦性心律。")
    assert again.pk == report.pk and Report.objects.filter(request=r).count() == 1
    with pytest.raises(ValidationError):
        actions.publish_report(s.county_specialist, r)  # not signed
    actions.sign_report(s.county_specialist, r)
    assert r.status == "reported"
    actions.publish_report(s.county_specialist, r)
    assert r.status == "published" and r.published_at
    assert Task.objects.filter(assignee=s.village_doctor_a, kind="diagnostics_report").count() == 1


def test_a_sign_needs_an_impression_and_the_claimant(scenario):
    s = scenario
    other = s.county_specialist.__class__.objects.get(pk=s.county_specialist.pk)
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role

    reader_2 = org_actions.create_staff(None, institution=s.county_hospital, username="reader-2", full_name="二号医生",
                                        password=s.password, roles=[Role.COUNTY_SPECIALIST], validate=False)
    r = helpers.request(s)
    actions.claim_request(other, r)
    with pytest.raises(PermissionDenied):
        actions.save_report(reader_2, r, impression="x")
    actions.save_report(other, r, findings="所见")
    with pytest.raises(ValidationError) as exc:
        actions.sign_report(other, r)
    assert "impression" in exc.value.message_dict
    actions.release_claim(other, r)
    assert r.status == "requested" and r.reader is None
    assert Report.objects.filter(request=r).count() == 0
    actions.claim_request(reader_2, r)


def test_revisions_keep_the_history(scenario):
    s = scenario
    r = helpers.published(s)
    with pytest.raises(ValidationError):
        actions.revise_report(s.county_specialist, r, reason="", impression="x")
    with pytest.raises(PermissionDenied):
        actions.revise_report(s.township_doctor, r, reason="更正", impression="x")
    actions.revise_report(s.county_specialist, r, reason="更正心率", impression="窦性心动过速。")
    reports = list(r.reports.order_by("revision"))
    assert [(x.revision, x.impression) for x in reports] == [(1, "窦性心律；正常心电图。"), (2, "窦性心动过速。")]
    assert reports[1].revision_reason == "更正心率" and reports[1].findings == reports[0].findings
    assert all(x.signed_at and x.published_at for x in reports)
    assert actions.current_report(r).revision == 2 and r.version > 1


def test_lab_results_carry_ranges_and_flags_and_critical_ones_are_raised(scenario):
    s = scenario
    r = helpers.request(s, "LAB-BMP")
    sp = actions.collect_specimen(s.village_doctor_a, r)
    actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
    actions.mark_tested(s.county_specialist, sp)
    actions.claim_request(s.county_specialist, r)
    with pytest.raises(ValidationError) as exc:
        actions.save_report(s.county_specialist, r, results={"K": "abc", "XX": "1"})
    assert set(exc.value.message_dict) == {"results.K", "results.XX"}
    report = actions.save_report(s.county_specialist, r, results={"K": "6.8", "NA": "136", "GLU": "5.2", "CREA": ""},
                                 impression="高钾血症")
    flags = {x.analyte.code: (x.flag, x.range_text) for x in report.results.select_related("analyte")}
    assert flags == {"K": ("HH", "3.5–5.3"), "NA": ("L", "137–147"), "GLU": ("N", "3.9–6.1")}
    actions.sign_report(s.county_specialist, r)
    cv = r.critical_values.get()
    assert cv.source == "lab" and cv.description.startswith("钾 6.8")
    actions.publish_report(s.county_specialist, r)
    # a revision that keeps the same critical result does not raise it twice
    actions.revise_report(s.county_specialist, r, reason="补充", impression="高钾血症，请复查")
    assert r.critical_values.count() == 1
    assert actions.current_report(r).results.count() == 3
