"""rules/chronic.py: every programme is a rule module of the same shape (design: "Programmes share one
engine"), so the engine looks a programme up instead of branching on it."""
import datetime as dt

import pytest

from yigongti.rules import chronic
from yigongti.rules.chronic import Decision, RuleError


@pytest.mark.parametrize("programme", chronic.PROGRAMMES)
def test_each_programme_has_the_common_shape(programme):
    module = chronic.rules_for(programme)
    assert module.PROGRAMME == programme
    assert callable(module.classify)
    assert module.CLASSIFICATIONS


def test_unknown_programme():
    with pytest.raises(RuleError) as info:
        chronic.rules_for("copd")
    assert info.value.code == "unknown_programme"


def test_mental_is_sensitive():
    assert chronic.SENSITIVE_PROGRAMMES == {"mental"}


def test_decision_is_frozen():
    d = Decision("satisfied", dt.date(2026, 1, 1), "", ())
    with pytest.raises(AttributeError):
        d.referral = "urgent"


def test_rules_import_no_django():
    import subprocess
    import sys
    code = ("import sys; import yigongti.rules.chronic_rates, yigongti.rules.screening, yigongti.rules.mental, "
            "yigongti.rules.tb; assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
