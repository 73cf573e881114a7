"""Health-record numbers (identifiers.md: 12-digit area code + 5-digit serial) stay unique when several
doctors register residents of one village at the same moment (design: concurrency recipe)."""
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from .conftest import synthetic


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_get_distinct_serials():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.people import actions
    from yigongti.people.models import Resident

    s = build_scenario()
    barrier = threading.Barrier(4)
    errors = []

    def register(i):
        try:
            born = dt.date(1950 + i, 1, 1)
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a,
                                          name=f"测试{i}", id_number=synthetic(born, "1", 700 + i), force=True)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(Resident.objects.values_list("record_number", flat=True))
    assert numbers == [f"360199100201{n:05d}" for n in range(1, 5)]
