"""Settings of the experts app: ``settings.YIGONGTI_EXPERTS`` (a dict) overrides these defaults.

- ``RELEASE_HOURS_BEFORE`` (24): unbooked slots reserved for family doctors open to every booker this many
  hours before the session starts [U: a county setting] (rules/experts.py ``reserved_released``).
- ``NO_SHOW_LIMIT`` (3) and ``NO_SHOW_WINDOW_DAYS`` (90): that many no-shows within the window stop a
  resident's new bookings (0 turns the rule off) [U].
- ``GENERATE_WEEKS`` (4): how far ahead ``generate_sessions`` (and the demo) makes sessions from the timetable.
- ``SLOT_SOURCES`` ({}): institution code → dotted path of a ``slot_sources.SlotSource`` class, for a county
  hospital whose clinic slots come from its HIS; every other institution uses the local source.
"""
from __future__ import annotations

from django.conf import settings

from yigongti.rules import experts as rules

DEFAULTS = {
    "RELEASE_HOURS_BEFORE": rules.RELEASE_HOURS_BEFORE,
    "NO_SHOW_LIMIT": rules.NO_SHOW_LIMIT_COUNT,
    "NO_SHOW_WINDOW_DAYS": rules.NO_SHOW_WINDOW_DAYS,
    "GENERATE_WEEKS": 4,
    "SLOT_SOURCES": {},
}


def get(name: str):
    return {**DEFAULTS, **getattr(settings, "YIGONGTI_EXPERTS", {})}[name]
