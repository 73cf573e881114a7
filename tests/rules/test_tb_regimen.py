"""rules/tb.py: regimen parsing (2HRZE/4HR and the general form), phases and the follow-up schedule by
supervision (spec §Tuberculosis)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yigongti.rules import tb
from yigongti.rules.chronic import RuleError

START = dt.date(2026, 1, 31)


def test_2hrze_4hr():
    r = tb.parse_regimen("2HRZE/4HR")
    assert (r.intensive_months, r.continuation_months, r.total_months) == (2, 4, 6)
    assert r.phases == (tb.Phase(2, ("H", "R", "Z", "E")), tb.Phase(4, ("H", "R")))


@pytest.mark.parametrize(("text", "intensive", "continuation"), [
    ("2H3R3Z3E3/4H3R3", 2, 4),          # intermittent, thrice weekly
    ("2HRZES/1HRZE/5HRE", 3, 5),         # retreatment: every phase before the last is intensive
    (" 2HRZE ／ 4HRE ", 2, 4),           # blanks and a full-width slash
    ("6Lfx Cs Cfz Lzd/12LfxCsCfz", 6, 12),
    ("9HRE", 9, 0),
])
def test_general_form(text, intensive, continuation):
    r = tb.parse_regimen(text)
    assert (r.intensive_months, r.continuation_months) == (intensive, continuation)


def test_intermittent_suffix_is_kept():
    assert tb.parse_regimen("2H3R3Z3E3/4H3R3").phases[1].drugs == ("H3", "R3")


@pytest.mark.parametrize("text", ["", "HRZE/4HR", "2hrze/4hr", "2HRZE/", "0HRZE/4HR", "2HRZE//4HR", "2-HRZE",
                                  "1H/1H/1H/1H/1H", None])
def test_unparseable(text):
    with pytest.raises(RuleError) as info:
        tb.parse_regimen(text)
    assert info.value.code == "regimen_unparseable"


@pytest.mark.parametrize(("on", "expected"), [
    (dt.date(2026, 1, 30), "not_started"), (START, "intensive"), (dt.date(2026, 3, 30), "intensive"),
    (dt.date(2026, 3, 31), "continuation"), (dt.date(2026, 7, 30), "continuation"),
    (dt.date(2026, 7, 31), "finished"),
])
def test_phase_on(on, expected):
    assert tb.phase_on(START, "2HRZE/4HR", on) == expected


def test_staff_supervised_monthly():
    assert tb.next_due(dt.date(2026, 2, 10), START, "2HRZE/4HR", "staff") == dt.date(2026, 3, 10)


def test_family_supervised_every_10_days_in_intensive_then_monthly():
    assert tb.next_due(dt.date(2026, 2, 10), START, "2HRZE/4HR", "family") == dt.date(2026, 2, 20)
    assert tb.next_due(dt.date(2026, 3, 25), START, "2HRZE/4HR", "family") == dt.date(2026, 4, 4)
    assert tb.next_due(dt.date(2026, 4, 5), START, "2HRZE/4HR", "family") == dt.date(2026, 5, 5)


def test_never_beyond_the_end_and_none_once_finished():
    assert tb.next_due(dt.date(2026, 7, 20), START, "2HRZE/4HR", "staff") == dt.date(2026, 7, 31)
    assert tb.next_due(dt.date(2026, 7, 31), START, "2HRZE/4HR", "family") is None


def test_intervals_are_parameters():
    r = tb.parse_regimen("2HRZE/4HR")
    assert tb.next_due(dt.date(2026, 2, 10), START, r, "family", family_intensive_days=7) == dt.date(2026, 2, 17)
    assert tb.next_due(dt.date(2026, 4, 5), START, r, "family", family_continuation_months=2) == dt.date(2026, 6, 5)


def test_unknown_supervision():
    with pytest.raises(RuleError):
        tb.next_due(START, START, "2HRZE/4HR", "self")


@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)), st.integers(0, 220),
       st.sampled_from(["staff", "family"]))
def test_the_schedule_always_moves_forward_and_stays_in_treatment(start, offset, supervision):
    last = start + dt.timedelta(days=offset)
    due = tb.next_due(last, start, "2HRZE/4HR", supervision)
    end = tb.phase_end_dates(start, "2HRZE/4HR")[1]
    if last >= end:
        assert due is None
    else:
        assert last < due <= end
        assert (due - last).days <= 31


def test_classify_gives_the_common_decision_shape():
    v = tb.TbVisit(dt.date(2026, 2, 10), START, "2HRZE/4HR", "family")
    d = tb.classify(v, None)
    assert (d.classification, d.next_due, d.referral) == ("intensive", dt.date(2026, 2, 20), "")
    assert d.reasons == ("intensive", "supervision_family")
    done = tb.classify(tb.TbVisit(dt.date(2026, 8, 1), START, "2HRZE/4HR", "staff"))
    assert (done.classification, done.next_due) == ("finished", None)
