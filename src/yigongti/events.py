"""The typed domain-event registry: who publishes, who reacts (design: "How one app's action reaches another").

A lower app publishes an event from inside its action's transaction; higher apps subscribe handlers in
their ``AppConfig.ready()``. Handlers run synchronously, in the publisher's transaction: a handler that
raises rolls the whole action back. Slow work is not done in a handler: the handler enqueues a job.

Every event type is declared in this file, so anyone can read who publishes what; ``reactions()``
lists who reacts to what (``yigongti events`` prints it, and docs/architecture.md is checked against it).
Not Django model signals: explicit, typed, listed in one place.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection


@dataclass(frozen=True)
class Event:
    """Base of every domain event. ``publisher`` names the app whose action published it."""

    publisher = ""


# --- people: the resident record (layer 3) -------------------------------------------------------


@dataclass(frozen=True)
class ResidentRegistered(Event):
    publisher = "people"
    resident_id: int
    area_id: int | None
    institution_id: int | None


@dataclass(frozen=True)
class ResidentChanged(Event):
    """Attributes that attribution or programmes depend on changed (area, birth date, sex, residence type)."""

    publisher = "people"
    resident_id: int
    changed: tuple[str, ...]
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResidentDied(Event):
    publisher = "people"
    resident_id: int
    date_of_death: dt.date
    cause: str = ""


@dataclass(frozen=True)
class ResidentMovedAway(Event):
    publisher = "people"
    resident_id: int
    moved_on: dt.date


@dataclass(frozen=True)
class ResidentsMerged(Event):
    """``merged_id`` was folded into ``kept_id``; every reference to merged_id must be re-pointed.

    Handlers record what they re-pointed in the merge (``merge_id``) so that an undo can put it back.
    """

    publisher = "people"
    kept_id: int
    merged_id: int
    merge_id: int


@dataclass(frozen=True)
class ResidentsUnmerged(Event):
    publisher = "people"
    kept_id: int
    restored_id: int
    merge_id: int


@dataclass(frozen=True)
class VitalsRecorded(Event):
    """A blood pressure and/or fasting glucose entered the platform (exam, encounter, follow-up, import)."""

    publisher = "people"
    resident_id: int
    institution_id: int | None
    measured_on: dt.date
    source: str  # "exam" | "encounter" | "followup" | …
    source_id: int
    systolic: int | None = None
    diastolic: int | None = None
    fasting_glucose: float | None = None  # mmol/L


@dataclass(frozen=True)
class EncounterChanged(Event):
    """An encounter was created, edited or deleted. ``before``/``after`` are the fields the rollups read
    (None when created / deleted), so live aggregates can subtract the old row and add the new one."""

    publisher = "people"
    encounter_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class ExamChanged(Event):
    publisher = "people"
    exam_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class ServiceDelivered(Event):
    """A service a family-doctor contract or an indicator may count was delivered to a resident."""

    publisher = "people"
    resident_id: int
    service_code: str
    institution_id: int | None
    delivered_on: dt.date
    source: str
    source_id: int


# --- org: structure (layer 2) ---------------------------------------------------------------------


@dataclass(frozen=True)
class DenominatorsChanged(Event):
    publisher = "org"
    area_id: int
    year: int


EVENT_TYPES: tuple[type[Event], ...] = (
    ResidentRegistered,
    ResidentChanged,
    ResidentDied,
    ResidentMovedAway,
    ResidentsMerged,
    ResidentsUnmerged,
    VitalsRecorded,
    EncounterChanged,
    ExamChanged,
    ServiceDelivered,
    DenominatorsChanged,
)

E = TypeVar("E", bound=Event)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class Reaction:
    event: type[Event]
    handler: Handler
    app: str

    @property
    def handler_name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_reactions: dict[type[Event], list[Reaction]] = defaultdict(list)


class EventError(RuntimeError):
    pass


def subscribe(event_type: type[E], handler: Callable[[E], None], *, app: str) -> None:
    """Register ``handler`` for ``event_type``; call from the subscribing app's ``AppConfig.ready()``."""
    if event_type not in EVENT_TYPES:
        raise EventError(f"{event_type!r} is not declared in yigongti/events.py")
    if any(r.handler is handler for r in _reactions[event_type]):
        return  # ready() may run twice in some test runners
    _reactions[event_type].append(Reaction(event_type, handler, app))


def unsubscribe(event_type: type[Event], handler: Handler) -> None:
    _reactions[event_type] = [r for r in _reactions[event_type] if r.handler is not handler]


def publish(event: Event) -> None:
    """Run every handler of ``event`` now, inside the caller's transaction.

    Publishing outside a transaction is a bug: the handlers would not be atomic with the action.
    """
    if type(event) not in EVENT_TYPES:
        raise EventError(f"{type(event)!r} is not declared in yigongti/events.py")
    if not connection.in_atomic_block:
        raise EventError(f"publish({type(event).__name__}) outside transaction.atomic()")
    for reaction in list(_reactions[type(event)]):
        reaction.handler(event)


def reactions() -> list[Reaction]:
    """Who reacts to what, in declaration order."""
    return [r for event_type in EVENT_TYPES for r in _reactions[event_type]]
