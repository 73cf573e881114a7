"""Done when: a village doctor records BP 185/115 and is told it is an urgent referral, with the to-do for the
managing doctor and the 2-week follow-up scheduled (the rules decide; the app never re-implements a threshold)."""
import datetime as dt

from yigongti.chronic.models import Enrolment, Visit
from yigongti.tasks.models import Task

from . import helpers


def test_185_115_is_an_urgent_referral_with_a_todo_and_a_two_week_followup(scenario):
    e = helpers.enrolment(scenario)
    visit, decision = helpers.followup(scenario, e, visit_date=dt.date(2026, 11, 20), sbp=185, dbp=115)
    assert decision.referral == "urgent"
    assert "sbp_ge_180" in decision.reasons and "dbp_ge_110" in decision.reasons
    assert visit.referral == "urgent"
    assert visit.next_due == dt.date(2026, 12, 4)
    e.refresh_from_db()
    assert e.next_due == dt.date(2026, 12, 4)
    assert e.last_visit_on == dt.date(2026, 11, 20)
    task = Task.objects.get(source_type="chronic.Visit", source_id=str(visit.pk))
    assert task.assignee == scenario.village_doctor_a
    assert "紧急转诊" in task.title
    assert task.due_at.date() == dt.date(2026, 12, 4)
    # ... and a referral draft to the township centre for the doctor to complete and submit; the to-do opens it
    from yigongti.referrals.models import Referral

    draft = Referral.objects.get(resident=e.resident)
    assert (draft.status, draft.from_institution, draft.to_institution) == (
        "draft", scenario.clinic_a, scenario.centre_1)
    assert draft.reason == "critical" and draft.primary_diagnosis == e.icd10.code
    assert "185" in draft.condition_summary or "180" in draft.condition_summary
    assert task.source_url == f"/referrals/{draft.pk}/"


def test_no_draft_when_there_is_no_destination_but_the_followup_and_todo_stand(scenario):
    from yigongti.org.models import Institution
    from yigongti.referrals.models import Referral

    e = helpers.enrolment(scenario)
    Institution.objects.filter(pk=scenario.clinic_a.pk).update(parent=None)
    visit, decision = helpers.followup(scenario, e, visit_date=dt.date(2026, 11, 20), sbp=185, dbp=115)
    assert decision.referral == "urgent" and not Referral.objects.exists()
    assert Task.objects.get(source_id=str(visit.pk)).source_url == f"/chronic/visits/{visit.pk}/"


def test_a_controlled_visit_books_the_quarterly_followup_and_no_todo(scenario):
    e = helpers.enrolment(scenario)
    visit, decision = helpers.followup(scenario, e, sbp=132, dbp=82)
    assert (decision.classification, decision.referral) == ("satisfied", "")
    assert visit.controlled is True
    assert visit.next_due == dt.date(2026, 11, 20) + dt.timedelta(days=90)
    assert not Task.objects.exists()


def test_two_unsatisfied_in_a_row_advise_referral(scenario):
    e = helpers.enrolment(scenario)
    helpers.followup(scenario, e, visit_date=dt.date(2026, 10, 1), sbp=150, dbp=95)
    visit, decision = helpers.followup(scenario, e, visit_date=dt.date(2026, 10, 15), sbp=152, dbp=92)
    assert decision.referral == "advised"
    assert Task.objects.filter(kind="chronic_referral_advised").count() == 1
    from yigongti.referrals.models import Referral

    assert Referral.objects.get(resident=e.resident).reason == "specialist"


def test_override_needs_a_kept_reason(scenario):
    import pytest
    from django.core.exceptions import ValidationError

    e = helpers.enrolment(scenario)
    with pytest.raises(ValidationError) as err:
        helpers.followup(scenario, e, sbp=150, dbp=95, override_classification="satisfied")
    assert "override_reason" in err.value.message_dict
    visit, _ = helpers.followup(scenario, e, sbp=150, dbp=95, override_classification="satisfied",
                                override_reason="诊室血压偏高，家庭自测达标")
    assert (visit.computed_classification, visit.classification) == ("unsatisfied", "satisfied")
    assert visit.override_reason
    assert Visit.objects.count() == 1 and Enrolment.objects.get().last_classification == "satisfied"


def test_bad_input_is_a_field_error(scenario):
    import pytest
    from django.core.exceptions import ValidationError

    e = helpers.enrolment(scenario)
    with pytest.raises(ValidationError) as err:
        helpers.followup(scenario, e, sbp=80, dbp=120, mode="fax")
    assert {"mode", "diastolic"} <= set(err.value.message_dict)
