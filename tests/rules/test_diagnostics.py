"""rules/diagnostics.py: workflow, specimens, flags, escalation timing, recognition window edges, worklist
order and percentiles."""
import datetime as dt
from decimal import Decimal as D

import pytest

from yigongti.rules import diagnostics as r

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_the_request_workflow():
    assert r.next_state(r.REQUESTED, r.CLAIM) == r.CLAIMED
    assert r.next_state(r.CLAIMED, r.RELEASE) == r.REQUESTED
    assert r.next_state(r.CLAIMED, r.SIGN) == r.REPORTED
    assert r.next_state(r.REPORTED, r.PUBLISH) == r.PUBLISHED
    assert r.next_state(r.PUBLISHED, r.REVISE) == r.PUBLISHED
    for state, action in [(r.REQUESTED, r.SIGN), (r.CLAIMED, r.CLAIM), (r.PUBLISHED, r.CANCEL),
                          (r.CANCELLED, r.CLAIM), (r.REQUESTED, r.PUBLISH)]:
        with pytest.raises(r.TransitionError) as exc:
            r.next_state(state, action)
        assert exc.value.code == r.ILLEGAL


def test_specimens_move_one_step_at_a_time():
    assert [r.next_specimen_state(s) for s in r.SPECIMEN_STATES] == [r.RECEIVED, r.TESTED, r.VERIFIED, None]


def test_a_barcode_carries_a_check_digit():
    code = r.specimen_barcode("H001", 2026, 42)
    assert code.startswith("H0012026000042") and len(code) == 15
    assert r.barcode_is_valid(code)
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not r.barcode_is_valid(wrong)
    assert not r.barcode_is_valid("")


@pytest.mark.parametrize("value, expected", [
    ("3.4", "LL"), ("3.5", "L"), ("3.9", "N"), ("5.6", "N"), ("5.7", "H"), ("6.4", "H"), ("6.5", "HH"), ("9", "HH"),
])
def test_potassium_flags(value, expected):
    # a range of 3.9–5.6 with critical limits 3.4 and 6.5: the limits of the range are in range
    assert r.flag(D(value), low=D("3.9"), high=D("5.6"), critical_low=D("3.4"), critical_high=D("6.5")) == expected


def test_flags_without_limits():
    assert r.flag(None, low=D(1)) == ""
    assert r.flag(D("100")) == "N"
    assert r.flag(D("0.5"), low=D(1)) == "L"
    assert r.is_critical("HH") and r.is_critical("LL") and not r.is_critical("H")


def test_escalation_happens_at_the_minute_and_once():
    kw = {"marked_at": T0, "acknowledged_at": None, "escalated_at": None, "minutes": 15}
    assert not r.must_escalate(now=T0 + dt.timedelta(minutes=14, seconds=59), **kw)
    assert r.must_escalate(now=T0 + dt.timedelta(minutes=15), **kw)
    assert not r.must_escalate(now=T0 + dt.timedelta(hours=2), **{**kw, "acknowledged_at": T0})
    assert not r.must_escalate(now=T0 + dt.timedelta(hours=2), **{**kw, "escalated_at": T0})
    assert r.escalation_due_at(T0, 15) == T0 + dt.timedelta(minutes=15)
    assert r.minutes_between(T0, T0 + dt.timedelta(seconds=599)) == 9
    assert r.minutes_between(T0, None) is None


@pytest.mark.parametrize("age, window, expected", [
    (0, 7, "recognised"), (7, 7, "recognised"), (8, 7, "expired"), (-1, 7, "future"),
    (0, 0, "recognised"), (1, 0, "expired"), (0, -1, "expired"), (90, 90, "recognised"), (91, 90, "expired"),
])
def test_the_recognition_window_edges(age, window, expected):
    day = dt.date(2026, 3, 31)
    assert r.recognition(day - dt.timedelta(days=age), day, window) == expected


def test_worklist_is_urgent_then_oldest_first():
    class It:
        def __init__(self, name, priority, minutes):
            self.name, self.priority, self.requested_at = name, priority, T0 + dt.timedelta(minutes=minutes)

    items = [It("routine-old", "routine", 0), It("urgent-new", "urgent", 50), It("stat-new", "stat", 60),
             It("urgent-old", "urgent", 10), It("routine-new", "routine", 5)]
    assert [i.name for i in r.order_worklist(items)] == ["stat-new", "urgent-old", "urgent-new", "routine-old",
                                                         "routine-new"]


def test_turnaround_timers():
    assert r.timer_state("stat", 23) == r.ON_TIME
    assert r.timer_state("stat", 24) == r.DUE_SOON
    assert r.timer_state("stat", 30) == r.DUE_SOON
    assert r.timer_state("stat", 31) == r.OVERDUE
    assert r.timer_state("routine", 60, {"routine": 50}) == r.OVERDUE


def test_nearest_rank_percentiles():
    values = list(range(1, 11))
    assert r.percentile(values, 50) == 5
    assert r.percentile(values, 90) == 9
    assert r.percentile(values, 100) == 10
    assert r.percentile([7], 90) == 7
    assert r.percentile([], 50) is None
    with pytest.raises(ValueError):
        r.percentile(values, 0)


def _reading(day, minutes, modality="ecg", priority="routine", centre=1, frm=2):
    at = dt.datetime(2026, 3, day, 1, 0, tzinfo=dt.UTC)
    return {"centre_id": centre, "from_id": frm, "modality": modality, "priority": priority, "requested_at": at,
            "published_at": at + dt.timedelta(minutes=minutes), "day": dt.date(2026, 3, day)}


def test_reading_figures():
    rows = [_reading(1, 10, "ecg", "stat"), _reading(2, 40, "dr", "stat"), _reading(3, 100, "lab", "urgent", frm=3),
            _reading(4, 2000, "ct"), _reading(31, 5, "us")]
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    assert r.measure(r.READINGS, rows, *march) == (4, None)
    assert r.measure(r.READINGS_IMAGING, rows, *march) == (2, None)
    assert r.measure(r.READINGS_LAB, rows, *march, ids={3}) == (1, None)
    assert r.measure(r.READINGS, rows, *march, ids={1}) == (4, None)  # the centre counts them all
    assert r.measure(r.READINGS, rows, *march, ids={9}) == (0, None)
    assert r.measure(r.TURNAROUND_P50, rows, *march) == (40, None)
    assert r.measure(r.TURNAROUND_P90, rows, *march) == (2000, None)
    assert r.measure(r.ON_TIME, rows, *march) == (2, 4)  # 40 > 30 (stat), 2000 > 1440 (routine)
    assert r.measure(r.TURNAROUND_P50, [], *march) == (0, None)


def test_critical_and_recognition_figures():
    at = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
    crit = [{"centre_id": 1, "from_id": 2, "marked_at": at, "acknowledged_at": at + dt.timedelta(minutes=m),
             "day": dt.date(2026, 3, 2)} for m in (3, 14, 15, 40)]
    crit.append({"centre_id": 1, "from_id": 2, "marked_at": at, "acknowledged_at": None, "day": dt.date(2026, 3, 2)})
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert r.measure(r.CRITICAL_COUNT, crit, *march) == (5, None)
    assert r.measure(r.ACK_IN_TIME, crit, *march) == (2, 5)
    assert r.measure(r.ACK_P50, crit, *march) == (14, None)
    recs = [{"from_id": 2, "avoided": True, "day": dt.date(2026, 3, 5)},
            {"from_id": 2, "avoided": False, "day": dt.date(2026, 3, 6)},
            {"from_id": 3, "avoided": True, "day": dt.date(2026, 4, 1)}]
    assert r.measure(r.AVOIDED_REPEATS, recs, *march) == (1, None)
    assert r.measure(r.REPEATS_WITH_REASON, recs, *march, ids={2}) == (1, None)
    with pytest.raises(ValueError):
        r.measure("nope", recs, *march)
