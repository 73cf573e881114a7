"""Family-doctor contract arithmetic: when a contract is in force, how many services of an item are expected by
a day, and the three rates of the indicator catalog (签约率, 重点人群签约率, 履约率). Pure: no Django; dates and
plain records in, numbers out. The family-doctor app feeds it from the database (live), the indicator check
feeds it a fixture, so each rate is computed here only.

Sources (../shared/domain/):
- records-referral-contracts.md "Family-doctor contracts": one team per resident at a time, term "in principle
  not less than one year" (default one year); key populations [S]: older people, pregnant women, children 0–6,
  hypertension, diabetes, TB, severe mental disorders, the poor.
- consortium-indicators.md "Programme indicators": 签约率 overall and per key population.
- 签约率 = residents with a contract in force at the period's end / 常住 population of the year (org's
  denominators); 重点人群签约率 = key-population members with a contract in force / key-population members
  [U: the members known to the platform at the period's end, not an estimate]; 履约率 = services done / services
  due by the period's end, pro rata to the days of the contract year elapsed [U: the county's assessment may
  count the full year instead; the pro-rata rate is what can be judged during the year].
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The key populations of the contract rates, in display order (people.keypops codes: derived from the birth
# date, programme membership, or a tag).
KEY_POPULATIONS = ("older_65", "hypertension", "diabetes", "mental", "tb", "children_0_6", "maternal",
                   "poverty_monitored")


def last_day(end_date: dt.date, ended_on: dt.date | None) -> dt.date:
    """The last day a contract covers: the day it ended early (terminated, renewed the day before the new one
    starts), or its term's end."""
    return min(end_date, ended_on) if ended_on is not None else end_date


def in_force(start: dt.date, last: dt.date, day: dt.date) -> bool:
    return start <= day <= last


def expected(due: int, start: dt.date, end: dt.date, on: dt.date) -> int:
    """How many of ``due`` (a yearly count) should be done by ``on`` if spread evenly over the term
    [start, end], rounded half up: a yearly item is expected from the middle of the term, a quarterly one
    from the middle of each quarter."""
    total = (end - start).days + 1
    if total <= 0:
        return due
    elapsed = max(0, min((on - start).days + 1, total))
    return math.floor(due * elapsed / total + 0.5)


@dataclass(frozen=True)
class Item:
    """A package item of a contract: ``code`` a service kind, counted only when ``recorded`` (an app records
    it); ``population`` blank = due for every contracted resident, else only for members of it."""

    code: str
    yearly_count: int
    population: str = ""
    recorded: bool = True


@dataclass(frozen=True)
class Term:
    """One contract as the rates read it."""

    contract_id: int
    resident_id: int
    area_id: int | None
    team_id: int
    start: dt.date
    end: dt.date            # the term's nominal end
    last: dt.date           # last_day(end, ended_on)
    items: tuple[Item, ...] = field(default_factory=tuple)


def in_force_terms(terms: Iterable[Term], day: dt.date, area_ids=None, team_ids=None) -> list[Term]:
    return [t for t in terms if in_force(t.start, t.last, day)
            and (area_ids is None or t.area_id in area_ids) and (team_ids is None or t.team_id in team_ids)]


def signed_residents(terms: Iterable[Term], day: dt.date, area_ids=None, team_ids=None) -> set[int]:
    """Residents with a contract in force on ``day`` (a resident counts once)."""
    return {t.resident_id for t in in_force_terms(terms, day, area_ids, team_ids)}


def members_in(members: Mapping[str, set[int]], residents: Mapping[int, int | None], code: str | None,
               area_ids=None) -> set[int]:
    """Members of population ``code`` (None: of any key population) among ``residents`` ({id: area_id}: the
    residents counted, at their residence) within ``area_ids``."""
    codes = KEY_POPULATIONS if code is None else (code,)
    out: set[int] = set()
    for c in codes:
        out |= set(members.get(c, ()))
    return {r for r in out if r in residents and (area_ids is None or residents[r] in area_ids)}


def contract_rate(terms: Iterable[Term], day: dt.date, population: int, area_ids=None) -> tuple[int, int]:
    """签约率: (residents with a contract in force on ``day`` in the areas, 常住 population)."""
    return len(signed_residents(terms, day, area_ids)), population


def key_contract_rate(terms: Iterable[Term], day: dt.date, members: Mapping[str, set[int]],
                      residents: Mapping[int, int | None], code: str | None = None, area_ids=None) -> tuple[int, int]:
    """(重点人群) 签约率: (members with a contract in force on ``day``, members) of one population, or of any key
    population when ``code`` is None; a resident counts where they live."""
    pop = members_in(members, residents, code, area_ids)
    signed = signed_residents(terms, day)
    return len(pop & signed), len(pop)


def item_applies(item: Item, resident_id: int, members: Mapping[str, set[int]]) -> bool:
    return item.recorded and item.yearly_count > 0 and (
        not item.population or resident_id in members.get(item.population, ()))


def term_fulfilment(term: Term, done_by_code: Mapping[str, int], members: Mapping[str, set[int]],
                    on: dt.date) -> tuple[int, int]:
    """(done, due) of one contract on ``on``: per item, due = expected by ``on``, done = services recorded since
    the start (at most the due count)."""
    done = due = 0
    for item in term.items:
        if not item_applies(item, term.resident_id, members):
            continue
        want = expected(item.yearly_count, term.start, term.end, on)
        due += want
        done += min(done_by_code.get(item.code, 0), want)
    return done, due


def count_services(services: Iterable[tuple[str, dt.date]], start: dt.date, end: dt.date) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, day in services:
        if start <= day <= end:
            out[code] = out.get(code, 0) + 1
    return out


def fulfilment_rate(terms: Iterable[Term], services: Mapping[int, list[tuple[str, dt.date]]],
                    members: Mapping[str, set[int]], day: dt.date, area_ids=None, team_ids=None) -> tuple[int, int]:
    """履约率 on ``day``: (services done, services due) summed over the contracts in force, each service counted
    from the contract's start to ``day``."""
    done = due = 0
    for t in in_force_terms(terms, day, area_ids, team_ids):
        d, u = term_fulfilment(t, count_services(services.get(t.resident_id, ()), t.start, day), members, day)
        done += d
        due += u
    return done, due
