"""rules/deductible.py: 上转补差, 下转免起付线, per scheme and grade (records-referral-contracts.md)."""
from yigongti.rules import deductible as d

RATES = {("resident", "1"): 20000, ("resident", "2"): 50000, ("resident", "3"): 80000,
         ("employee", "1"): 30000, ("employee", "3"): 100000}


def _expect(**kw):
    base = {"scheme": "resident", "direction": "up", "referral_type": "inpatient", "from_level": "1",
            "to_level": "3", "rates": RATES}
    return d.expected_deductible(**{**base, **kw})


def test_up_referral_pays_only_the_difference():
    result = _expect()
    assert (result.code, result.amount_fen, result.receiving_fen, result.sending_fen) == (
        d.UP_DIFFERENCE, 60000, 80000, 20000)


def test_schemes_differ():
    assert _expect(scheme="employee").amount_fen == 70000


def test_down_referral_has_no_deductible_and_a_bonus():
    result = _expect(direction="down", from_level="3", to_level="1", down_bonus_points=5)
    assert (result.code, result.amount_fen, result.bonus_points) == (d.DOWN_WAIVED, 0, 5)


def test_lateral_continues():
    assert _expect(direction="lateral", from_level="1", to_level="1").amount_fen == 0


def test_outpatient_referrals_have_no_inpatient_deductible():
    assert _expect(referral_type="outpatient").code == d.NOT_INPATIENT


def test_a_missing_rate_is_said_not_guessed():
    result = _expect(scheme="employee", to_level="2")
    assert (result.code, result.amount_fen) == (d.NO_RATE, None)
    assert _expect(scheme="employee", from_level="2").code == d.NO_RATE


def test_never_negative():
    assert _expect(from_level="3", to_level="3", direction="up").amount_fen == 0
