"""First-diagnosis catalogs per hospital grade and the down-referral catalog, as editable data: an up-referral
whose diagnosis is on the sender's catalog needs a justification and is counted as questionable; county
inpatients with a diagnosis on the down-referral catalog are suggested for down-referral."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yigongti.people import actions as people_actions
from yigongti.referrals import actions, queries

from . import helpers


def test_questionable_up_referrals_need_a_justification(scenario):
    s = scenario
    helpers.icd()
    actions.add_catalog_entry(s.consortium_office, kind="first_diagnosis", grade_level="1", code="j06", name="上感")
    actions.add_catalog_entry(s.consortium_office, kind="first_diagnosis", grade_level="2", code="K35",
                              name="急性阑尾炎")
    r = helpers.draft(s, primary_diagnosis="J06.900")
    with pytest.raises(ValidationError) as caught:
        actions.submit_referral(s.township_doctor, r)
    assert "J06" in caught.value.message_dict["justification"][0]
    actions.update_referral(s.township_doctor, r, r.version, justification="高热不退三天，伴意识改变")
    r = actions.submit_referral(s.township_doctor, r)
    assert (r.questionable, r.catalog_entry) == (True, "J06")
    # a diagnosis on the 二级 catalog is not the 一级 sender's business
    other = actions.submit_referral(s.township_doctor, helpers.draft(s, primary_diagnosis="K35.900"))
    assert not other.questionable


def test_catalog_edits_are_checked_and_for_the_office(scenario):
    s = scenario
    helpers.icd()
    with pytest.raises(PermissionDenied):
        actions.add_catalog_entry(s.township_doctor, kind="down_referral", code="I10", name="高血压")
    with pytest.raises(ValidationError) as caught:
        actions.add_catalog_entry(s.consortium_office, kind="first_diagnosis", grade_level="", code="1X", name="")
    assert {"grade_level", "code", "name"} <= set(caught.value.message_dict)
    entry = actions.add_catalog_entry(s.consortium_office, kind="down_referral", code="I10", name="高血压")
    with pytest.raises(ValidationError):
        actions.add_catalog_entry(s.consortium_office, kind="down_referral", code="I10", name="高血压")
    actions.retire_catalog_entry(s.consortium_office, entry)
    assert not queries.catalog_q("down_referral")


def test_county_inpatients_on_the_down_catalog_are_suggested(scenario, client):
    s = scenario
    helpers.icd()
    actions.add_catalog_entry(s.consortium_office, kind="down_referral", code="I63", name="脑梗死恢复期")
    stroke, appendix, written = helpers.resident(s), helpers.resident(s), helpers.resident(s)
    today = timezone.localdate()
    for p, code in ((stroke, "I63.900"), (appendix, "K35.900"), (written, "I63.900")):
        people_actions.ingest_encounter(None, institution=s.county_hospital, external_id=f"HIS-{p.pk}", resident=p,
                                        kind="inpatient", visit_date=today - dt.timedelta(days=10),
                                        primary_diagnosis=code, total_cost="9000")
    helpers.down_draft(s, patient=written, primary_diagnosis="I63.900")
    assert [e.resident_id for e in queries.down_referral_suggestions(s.county_specialist)] == [stroke.pk]
    assert not queries.down_referral_suggestions(s.township_doctor).exists()
    client.force_login(s.county_specialist)
    page = client.get(reverse("referrals:suggestions")).content.decode()
    assert stroke.name in page and appendix.name not in page


def test_the_office_sets_which_institutions_need_head_approval(scenario, client):
    s = scenario
    client.force_login(s.consortium_office)
    page = client.get(reverse("referrals:catalogs")).content.decode()
    assert s.centre_1.name in page
    client.post(reverse("referrals:catalogs"), {"policy_institution": s.centre_1.pk, "requires": "1"})
    assert actions.needs_approval(s.centre_1.pk)
    client.force_login(s.township_doctor)
    denied = client.post(reverse("referrals:catalogs"), {"policy_institution": s.centre_1.pk, "requires": "0"})
    assert denied.status_code == 403 and actions.needs_approval(s.centre_1.pk)
    client.force_login(s.institution_admin_t1)
    client.post(reverse("referrals:catalogs"), {"policy_institution": s.centre_1.pk, "requires": "0"})
    assert not actions.needs_approval(s.centre_1.pk)
