"""The typed event registry: handlers run in the publisher's transaction; a failing handler rolls back."""
import datetime as dt

import pytest
from django.db import transaction

from yigongti import events
from yigongti.jobs.models import Job


@pytest.fixture
def handler_registry():
    added = []

    def add(event_type, handler):
        events.subscribe(event_type, handler, app="tests")
        added.append((event_type, handler))

    yield add
    for event_type, handler in added:
        events.unsubscribe(event_type, handler)


def _died(resident_id=1):
    return events.ResidentDied(resident_id=resident_id, date_of_death=dt.date(2026, 1, 2), cause="test")


def test_it_runs_handlers_in_order(db, handler_registry):
    seen = []
    handler_registry(events.ResidentDied, lambda e: seen.append(("a", e.resident_id)))
    handler_registry(events.ResidentDied, lambda e: seen.append(("b", e.resident_id)))
    with transaction.atomic():
        events.publish(_died(7))
    assert seen == [("a", 7), ("b", 7)]


def test_a_failing_handler_rolls_the_action_back(db, handler_registry):
    def write_then_fail(event):
        Job.objects.create(kind="handler.wrote", run_after="2026-01-01T00:00:00Z")
        raise RuntimeError("handler failed")

    handler_registry(events.ResidentDied, write_then_fail)

    def action():
        with transaction.atomic():
            Job.objects.create(kind="action.wrote", run_after="2026-01-01T00:00:00Z")
            events.publish(_died())

    with pytest.raises(RuntimeError, match="handler failed"):
        action()
    assert not Job.objects.filter(kind__in=["action.wrote", "handler.wrote"]).exists()


def test_publishing_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(events.EventError, match="outside transaction"):
        events.publish(_died())


def test_undeclared_events_are_refused(db):
    class Stray(events.Event):
        pass

    with pytest.raises(events.EventError):
        events.subscribe(Stray, lambda e: None, app="tests")


def test_every_reaction_is_listed_in_the_architecture_doc():
    """docs/architecture.md lists who reacts to what; it must match the registry."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text()
    for event_type in events.EVENT_TYPES:
        assert f"`{event_type.__name__}`" in doc, f"{event_type.__name__} missing from docs/architecture.md"
    for reaction in events.reactions():
        if reaction.app == "tests":
            continue
        assert f"`{reaction.handler_name}`" in doc, f"{reaction.handler_name} missing from docs/architecture.md"
