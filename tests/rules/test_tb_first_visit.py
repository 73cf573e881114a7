"""rules/tb.py: the 72-hour first visit from the notification's arrival, across time zones, and two failed
attempts → report back (spec §Tuberculosis)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from yigongti.rules import tb
from yigongti.rules.chronic import RuleError

CN = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
NOTIFIED = dt.datetime(2026, 11, 20, 23, 30, tzinfo=CN)      # = 15:30 UTC


def test_deadline_is_72_hours_later_aware():
    deadline = tb.first_visit_deadline(NOTIFIED)
    assert deadline == dt.datetime(2026, 11, 23, 23, 30, tzinfo=CN)
    assert deadline.tzinfo is not None


def test_deadline_is_the_same_instant_in_any_zone():
    assert tb.first_visit_deadline(NOTIFIED.astimezone(UTC)) == tb.first_visit_deadline(NOTIFIED)


def test_naive_datetimes_are_refused():
    with pytest.raises(RuleError) as info:
        tb.first_visit_deadline(dt.datetime(2026, 11, 20, 8, 0))  # noqa: DTZ001
    assert info.value.code == "naive_datetime"
    with pytest.raises(RuleError):
        tb.first_visit_status(NOTIFIED, [], dt.datetime(2026, 11, 21))  # noqa: DTZ001


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2026, 11, 23, 23, 29, 59, tzinfo=CN), "due"),
    (dt.datetime(2026, 11, 23, 23, 30, tzinfo=CN), "due"),            # the 72nd hour itself
    (dt.datetime(2026, 11, 23, 15, 30, tzinfo=UTC), "due"),           # the same instant written in UTC
    (dt.datetime(2026, 11, 23, 15, 30, 1, tzinfo=UTC), "overdue"),
    (dt.datetime(2026, 11, 23, 23, 30, 1, tzinfo=CN), "overdue"),
    # a naive reading of the clock would get this one wrong: 20:00 UTC is already 04:00 on the 24th in China
    (dt.datetime(2026, 11, 23, 20, 0, tzinfo=UTC), "overdue"),
])
def test_status_around_the_boundary(now, expected):
    assert tb.first_visit_status(NOTIFIED, [], now) == expected


def test_one_failed_attempt_is_still_due_then_overdue():
    failed = [(dt.datetime(2026, 11, 21, 10, tzinfo=CN), False)]
    assert tb.first_visit_status(NOTIFIED, failed, dt.datetime(2026, 11, 22, tzinfo=CN)) == "due"
    assert tb.first_visit_status(NOTIFIED, failed, dt.datetime(2026, 11, 25, tzinfo=CN)) == "overdue"


def test_two_failed_attempts_report_back_even_before_the_deadline():
    failed = [(dt.datetime(2026, 11, 21, 10, tzinfo=CN), False), (dt.datetime(2026, 11, 22, 10, tzinfo=CN), False)]
    assert tb.first_visit_status(NOTIFIED, failed, dt.datetime(2026, 11, 22, 12, tzinfo=CN)) == "report_back"
    assert tb.first_visit_status(NOTIFIED, failed, dt.datetime(2026, 11, 30, tzinfo=CN)) == "report_back"


def test_a_successful_attempt_is_done_even_after_failures_or_late():
    attempts = [(dt.datetime(2026, 11, 21, 10, tzinfo=CN), False), (dt.datetime(2026, 11, 22, 10, tzinfo=CN), False),
                (dt.datetime(2026, 11, 26, 10, tzinfo=CN), True)]
    assert tb.first_visit_status(NOTIFIED, attempts, dt.datetime(2026, 11, 27, tzinfo=CN)) == "done"
    assert tb.first_visit_on_time(NOTIFIED, attempts[-1][0]) is False
    assert tb.first_visit_on_time(NOTIFIED, dt.datetime(2026, 11, 23, 15, 30, tzinfo=UTC)) is True


def test_attempts_after_now_are_ignored():
    later = [(dt.datetime(2026, 11, 22, 10, tzinfo=CN), True)]
    assert tb.first_visit_status(NOTIFIED, later, dt.datetime(2026, 11, 21, tzinfo=CN)) == "due"


@pytest.mark.parametrize(("cough", "sputum", "blood", "expected"), [
    (13, 13, False, False), (14, 0, False, True), (0, 14, False, True), (0, 0, True, True),
    (None, None, False, False), (None, 20, False, True)])
def test_suspected_tb(cough, sputum, blood, expected):
    assert tb.is_suspected(cough, sputum, blood) is expected
