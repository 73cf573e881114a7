"""Faults (issue 11, item 4): two doctors save the same record at the same moment, both from version 1:
exactly one save wins, the other is refused as stale (the API's 409), and the winner's change is kept —
never a silent overwrite. Both databases (the version is claimed with a conditional UPDATE)."""
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from .conftest import register


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_save_wins_and_the_other_is_stale():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.people import actions
    from yigongti.people.models import Resident

    s = build_scenario()
    with transaction.atomic():
        resident = register(s)
    version = resident.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(who, occupation):
        try:
            record = Resident.objects.get(pk=resident.pk)
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.update_resident(s.village_doctor_a, record, version, occupation=occupation)
            outcomes[who] = "saved"
        except actions.StaleVersion:
            outcomes[who] = "stale"
        except Exception as exc:  # pragma: no cover - reported below
            outcomes[who] = repr(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=edit, args=(who, job)) for who, job in (("a", "农民"), ("b", "教师"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["saved", "stale"], outcomes
    winner = "农民" if outcomes["a"] == "saved" else "教师"
    saved = Resident.objects.get(pk=resident.pk)
    assert saved.occupation == winner and saved.version == version + 1
