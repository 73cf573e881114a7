"""Likely-duplicate scoring of two resident records, pure: no Django. Returns a score and codes.

identifiers.md "Citizen ID number": a record without a document is allowed and flagged for duplicate
review; the same document number is refused outright by the people actions (exact blind index), while a
similar name + birth date + phone only warns (the user may go on: two people can share all three).

Inputs are mappings with ``name``, ``birth_date`` (date), ``sex`` and ``phone_index`` (the blind index of
the phone, never the number itself: comparing indexes is comparing numbers).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

WARN_AT = 60  # a score at or above this warns

SAME_NAME = "same_name"
SIMILAR_NAME = "similar_name"
SAME_BIRTH = "same_birth_date"
NEAR_BIRTH = "near_birth_date"
SAME_PHONE = "same_phone"
OTHER_SEX = "other_sex"

WEIGHTS = {SAME_NAME: 50, SIMILAR_NAME: 30, SAME_BIRTH: 30, NEAR_BIRTH: 15, SAME_PHONE: 30, OTHER_SEX: -30}


@dataclass(frozen=True)
class Match:
    score: int
    reasons: tuple[str, ...]

    @property
    def warns(self) -> bool:
        return self.score >= WARN_AT


def _clean(name: str | None) -> str:
    return "".join((name or "").split())


def names_similar(a: str, b: str) -> bool:
    """Same length and at most one different character (a typo or a homophone: 罗福英 / 罗富英)."""
    a, b = _clean(a), _clean(b)
    if not a or not b or len(a) != len(b):
        return False
    return sum(1 for x, y in zip(a, b, strict=True) if x != y) <= 1


def dates_near(a: dt.date | None, b: dt.date | None) -> bool:
    """One entry slip: day and month swapped, or one of year / month / day differs."""
    if not a or not b or a == b:
        return False
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return True
    return sum((a.year != b.year, a.month != b.month, a.day != b.day)) == 1


def score(a: Mapping, b: Mapping) -> Match:
    reasons: list[str] = []
    if _clean(a.get("name")) and _clean(a.get("name")) == _clean(b.get("name")):
        reasons.append(SAME_NAME)
    elif names_similar(a.get("name", ""), b.get("name", "")):
        reasons.append(SIMILAR_NAME)
    if a.get("birth_date") and a.get("birth_date") == b.get("birth_date"):
        reasons.append(SAME_BIRTH)
    elif dates_near(a.get("birth_date"), b.get("birth_date")):
        reasons.append(NEAR_BIRTH)
    if a.get("phone_index") and a.get("phone_index") == b.get("phone_index"):
        reasons.append(SAME_PHONE)
    known = {"1", "2"}
    if a.get("sex") in known and b.get("sex") in known and a.get("sex") != b.get("sex"):
        reasons.append(OTHER_SEX)
    return Match(max(0, sum(WEIGHTS[r] for r in reasons)), tuple(reasons))
