"""Fulfilment (履约), derived at query time: for each contract, each package item's yearly count due in the
contract year (pro rata to the days elapsed for "falling behind") against the services recorded anywhere
in the platform (``people.services.delivered``). An item whose service kind no app records yet shows as
"not yet recorded by the platform" instead of a number."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from yigongti.people import services
from yigongti.rules import contracts


@dataclass
class ItemState:
    label: str
    code: str
    due: int
    done: int | None  # None: no app records this kind yet
    expected_by_now: int = 0

    @property
    def recorded(self) -> bool:
        return self.done is not None

    @property
    def complete(self) -> bool:
        return self.done is not None and self.done >= self.due

    @property
    def behind(self) -> bool:
        return self.done is not None and self.done < self.expected_by_now


@dataclass
class ContractFulfilment:
    contract_id: int
    resident_id: int
    items: list[ItemState] = field(default_factory=list)

    @property
    def counted(self) -> list[ItemState]:
        return [i for i in self.items if i.recorded and i.due]

    @property
    def due(self) -> int:
        return sum(i.due for i in self.counted)

    @property
    def done(self) -> int:
        return sum(min(i.done, i.due) for i in self.counted)

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def behind(self) -> bool:
        return any(i.behind for i in self.counted)


def population_members(code: str, resident_ids, on: dt.date) -> set[int]:
    """Which of ``resident_ids`` belong to key population ``code`` (people.keypops: derived, programme, tag)."""
    from yigongti.people import keypops
    from yigongti.people.models import Resident, ResidentTag

    if code in keypops.DERIVED:
        return set(Resident.objects.filter(keypops.derived_q(code, on), pk__in=resident_ids)
                   .values_list("pk", flat=True))
    for prog in keypops.programmes():
        if prog.code == code:
            return set(prog.members().filter(resident_id__in=resident_ids).values_list("resident_id", flat=True))
    return set(ResidentTag.objects.filter(tag=code, resident_id__in=resident_ids).values_list("resident_id", flat=True))


def _items_of(contract) -> list:
    items = []
    for package in contract.packages.all():
        items.extend(package.items.all())
    return items


def _expected(due: int, start: dt.date, end: dt.date, on: dt.date) -> int:
    """How many of ``due`` should be done by ``on`` (rules.contracts.expected: spread evenly over the term)."""
    return contracts.expected(due, start, end, on)


def for_contracts(contracts, on: dt.date | None = None) -> dict[int, ContractFulfilment]:
    """Fulfilment of many contracts (prefetch ``packages__items``): one ``delivered_in_terms()`` for them all."""
    on = on or timezone.localdate()
    known = services.kinds()
    contracts = list(contracts)
    counts = services.delivered_in_terms((c.pk, c.resident_id, c.start_date, c.end_date) for c in contracts)
    result: dict[int, ContractFulfilment] = {}
    all_ids = sorted({c.resident_id for c in contracts})
    # membership on min(on, end): one query per population an item names and per such day (for contracts in
    # force, the same day for all)
    populations: dict[tuple[str, dt.date], set[int]] = {}
    for c in contracts:
        start, end = c.start_date, c.end_date
        got = counts.get(c.pk, {})
        cf = ContractFulfilment(c.pk, c.resident_id)
        for item in _items_of(c):
            if item.population:
                key = (item.population, min(on, end))
                if key not in populations:
                    populations[key] = population_members(item.population, all_ids, key[1])
                if c.resident_id not in populations[key]:
                    continue
            done = got.get(item.service_code, 0) if item.service_code in known else None
            cf.items.append(ItemState(item.label, item.service_code, item.yearly_count, done,
                                      _expected(item.yearly_count, start, end, on)))
        result[c.pk] = cf
    return result


def of_contract(contract, on: dt.date | None = None) -> ContractFulfilment:
    return for_contracts([contract], on)[contract.pk]
