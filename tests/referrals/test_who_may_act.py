"""Only the receiving institution's staff accept, reject, receive and complete; only the sender cancels;
the department head approves where the sending institution requires it; the sender cannot accept its own
referral; administrators and the consortium office watch but do not act."""
import pytest
from django.core.exceptions import PermissionDenied

from yigongti.org import actions as org_actions
from yigongti.org.models import Role
from yigongti.referrals import actions
from yigongti.referrals.models import Status
from yigongti.tasks.queries import tasks_for

from . import helpers


@pytest.mark.parametrize("who", ["township_doctor", "other_township_doctor", "village_doctor_a", "consortium_office",
                                 "system_admin", "health_bureau"])
def test_only_the_receiver_accepts(scenario, who):
    r = helpers.submitted(scenario)
    with pytest.raises(PermissionDenied):
        actions.accept_referral(getattr(scenario, who), r)
    with pytest.raises(PermissionDenied):
        actions.reject_referral(getattr(scenario, who), r, "不收")
    r.refresh_from_db()
    assert r.status == Status.SUBMITTED


def test_the_sender_cannot_accept_its_own_referral_even_as_a_member_of_both(scenario):
    s = scenario
    org_actions.add_membership(None, user=s.township_doctor, institution=s.county_hospital,
                               roles=[Role.COUNTY_SPECIALIST], is_primary=False)
    r = helpers.submitted(s)
    with pytest.raises(PermissionDenied):
        actions.accept_referral(s.township_doctor, r)


@pytest.mark.parametrize("who", ["county_specialist", "other_township_doctor", "village_doctor_a"])
def test_only_the_sender_cancels(scenario, who):
    r = helpers.submitted(scenario)
    with pytest.raises(PermissionDenied):
        actions.cancel_referral(getattr(scenario, who), r)
    assert actions.cancel_referral(scenario.township_doctor, r).status == Status.CANCELLED


def test_the_receiver_cannot_receive_or_complete_for_another(scenario):
    r = helpers.accepted(scenario)
    with pytest.raises(PermissionDenied):
        actions.receive_referral(scenario.township_doctor, r)


def test_department_head_approval_where_required(scenario):
    s = scenario
    head = org_actions.create_staff(None, institution=s.centre_1, username="head-t1", full_name="许主任",
                                    password=s.password, roles=[Role.DEPARTMENT_HEAD], validate=False)
    actions.set_policy(s.institution_admin_t1, s.centre_1, requires_head_approval=True)
    r = helpers.submitted(s)
    assert r.status == Status.PENDING_APPROVAL
    assert [t.title for t in tasks_for(head) if "审核" in t.title]
    assert not [t for t in tasks_for(s.county_specialist) if t.source_type == "referrals.Referral"]
    with pytest.raises(PermissionDenied):
        actions.approve_referral(s.township_doctor, r)
    r = actions.approve_referral(head, r, "同意上转")
    assert (r.status, r.head, r.head_opinion) == (Status.SUBMITTED, head, "同意上转")
    assert [t for t in tasks_for(s.county_specialist) if t.source_type == "referrals.Referral"]
    assert not [t for t in tasks_for(head) if t.source_type == "referrals.Referral"]


def test_a_village_doctor_may_not_change_the_approval_setting(scenario):
    with pytest.raises(PermissionDenied):
        actions.set_policy(scenario.village_doctor_a, scenario.centre_1, requires_head_approval=True)
