"""rules/referral.py: every (state, action) pair of the workflow table, allowed or refused with a code."""
import itertools

import pytest

from yigongti.rules import referral as r

EXPECTED = {
    (r.DRAFT, r.SUBMIT): r.SUBMITTED,
    (r.PENDING_APPROVAL, r.APPROVE): r.SUBMITTED,
    (r.SUBMITTED, r.ACCEPT): r.ACCEPTED,
    (r.SUBMITTED, r.REJECT): r.REJECTED,
    (r.ACCEPTED, r.RECEIVE): r.RECEIVED,
    (r.RECEIVED, r.COMPLETE): r.COMPLETED,
    (r.DRAFT, r.CANCEL): r.CANCELLED,
    (r.PENDING_APPROVAL, r.CANCEL): r.CANCELLED,
    (r.SUBMITTED, r.CANCEL): r.CANCELLED,
    (r.ACCEPTED, r.CANCEL): r.CANCELLED,
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(r.STATES, r.ACTIONS)))
def test_every_pair(state, action):
    if (state, action) in EXPECTED:
        assert r.next_state(state, action) == EXPECTED[(state, action)]
        assert action in r.allowed_actions(state)
    else:
        with pytest.raises(r.TransitionError) as caught:
            r.next_state(state, action)
        assert caught.value.code == (r.EXPIRED_REFUSED if state == r.EXPIRED else r.ILLEGAL_TRANSITION)
        assert action not in r.allowed_actions(state)


def test_submit_goes_to_the_department_head_where_approval_is_required():
    assert r.next_state(r.DRAFT, r.SUBMIT, needs_approval=True) == r.PENDING_APPROVAL
    assert r.next_state(r.DRAFT, r.CANCEL, needs_approval=True) == r.CANCELLED


def test_an_unknown_action_is_refused_with_its_own_code():
    with pytest.raises(r.TransitionError) as caught:
        r.next_state(r.DRAFT, "teleport")
    assert caught.value.code == r.UNKNOWN_ACTION


def test_every_action_names_who_takes_it():
    assert set(r.ACTOR_OF) == set(r.ACTIONS)
    assert {r.ACTOR_OF[a] for a in (r.ACCEPT, r.REJECT, r.RECEIVE, r.COMPLETE)} == {r.RECEIVER}
    assert r.ACTOR_OF[r.CANCEL] == r.SENDER
