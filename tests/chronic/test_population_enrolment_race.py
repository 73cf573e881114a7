"""Two doctors of the same clinic press "enrol the population" at the same moment: every eligible older person is
enrolled exactly once (the one-active-enrolment constraint; the loser of each row skips it)."""
import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from . import helpers


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_population_enrolment_twice_at_once():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.chronic import population
    from yigongti.chronic.models import Enrolment

    s = build_scenario()
    elders = [helpers.resident(s, name=f"并发老人{i}", born=dt.date(1940 + i, 1, 1)) for i in range(4)]
    barrier = threading.Barrier(2)
    made, errors = [], []

    def press(user):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                made.extend(population.enrol_eligible(user, programme="older", institution=s.clinic_a,
                                                      managing_doctor=user))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (s.village_doctor_a, s.village_doctor_a)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for r in elders:
        assert Enrolment.objects.filter(resident=r, programme="older", status="active").count() == 1
    assert len(made) == Enrolment.objects.filter(programme="older").count()
