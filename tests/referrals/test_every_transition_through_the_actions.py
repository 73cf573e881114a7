"""Every (state, action) pair through the real actions, with the right actor: the table's pairs succeed and
land where rules/referral.py says; every other pair is refused with a field-level message and changes
nothing (issue 9: "Illegal transitions are refused with a clear message (table-driven tests of every pair)")."""
import datetime as dt
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from yigongti.org import actions as org_actions
from yigongti.org.models import Role
from yigongti.referrals import actions
from yigongti.referrals.models import Referral
from yigongti.rules import referral as rules

from . import helpers


def _head(s):
    if not hasattr(s, "_head"):
        s._head = org_actions.create_staff(None, institution=s.centre_1, username="head-t1", full_name="许主任",
                                           password=s.password, roles=[Role.DEPARTMENT_HEAD, Role.TOWNSHIP_DOCTOR],
                                           validate=False)
    return s._head


def build(s, state):
    """A referral in ``state`` (stored or expired), made through the actions."""
    if state == rules.DRAFT:
        return helpers.draft(s)
    if state == rules.PENDING_APPROVAL:
        actions.set_policy(None, s.centre_1, requires_head_approval=True)
        r = helpers.submitted(s)
        actions.set_policy(None, s.centre_1, requires_head_approval=False)
        return r
    if state == rules.SUBMITTED:
        return helpers.submitted(s)
    if state == rules.EXPIRED:
        return helpers.submitted(s)
    if state == rules.REJECTED:
        return actions.reject_referral(s.county_specialist, helpers.submitted(s), "科室满员")
    r = helpers.accepted(s)
    if state == rules.ACCEPTED:
        return r
    if state == rules.CANCELLED:
        return actions.cancel_referral(s.township_doctor, r, "患者改变主意")
    r = actions.receive_referral(s.county_specialist, r)
    if state == rules.RECEIVED:
        return r
    return actions.complete_referral(s.county_specialist, r, return_plan="继续康复")


def act(s, action, r):
    if action == rules.SUBMIT:
        return actions.submit_referral(s.township_doctor, r)
    if action == rules.APPROVE:
        return actions.approve_referral(_head(s), r, "同意")
    if action == rules.ACCEPT:
        return actions.accept_referral(s.county_specialist, r)
    if action == rules.REJECT:
        return actions.reject_referral(s.county_specialist, r, "无床位")
    if action == rules.RECEIVE:
        return actions.receive_referral(s.county_specialist, r)
    if action == rules.COMPLETE:
        return actions.complete_referral(s.county_specialist, r, return_plan="继续治疗")
    return actions.cancel_referral(s.township_doctor, r, "撤销")


@pytest.mark.parametrize(("state", "action"), list(itertools.product(rules.STATES, rules.ACTIONS)))
def test_pair(scenario, state, action):
    s = scenario
    _head(s)
    r = build(s, state)
    before = Referral.objects.values("status", "version").get(pk=r.pk)
    later = timezone.localdate() + dt.timedelta(days=10) if state == rules.EXPIRED else None
    traveller = time_machine.travel(later, tick=True) if later else None
    if traveller:
        traveller.start()
    try:
        expected = rules.TRANSITIONS.get((state, action)) if state != rules.EXPIRED else None
        if expected is not None:
            done = act(s, action, r)
            assert done.status == expected
        else:
            with pytest.raises(ValidationError) as caught:
                act(s, action, r)
            assert "status" in caught.value.message_dict
            message = caught.value.message_dict["status"][0]
            assert ("有效期" in message) if state == rules.EXPIRED else ("不能" in message)
            assert Referral.objects.values("status", "version").get(pk=r.pk) == before
    finally:
        if traveller:
            traveller.stop()
