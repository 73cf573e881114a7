"""Two family doctors book two residents into the last slot at the same moment: exactly one wins, on SQLite
and on PostgreSQL (design: concurrency recipe — file database, real transactions, threads released together
by a Barrier). And one resident booked twice at once by two desks gets one slot."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from . import helpers


def _race(calls):
    barrier = threading.Barrier(len(calls))
    won, lost, errors = [], [], []

    def run(fn):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                won.append(fn())
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return won, lost


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_booker_gets_the_last_slot():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.experts import actions
    from yigongti.experts.models import Booking

    s = build_scenario()
    session = helpers.session(s, capacity=1, reserved=0)
    a, b = helpers.resident(s), helpers.resident(s)
    won, lost = _race([lambda: actions.book_slot(s.township_doctor, session, a).pk,
                       lambda: actions.book_slot(s.institution_admin_t1, session, b).pk])
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert "slot" in lost[0]
    assert Booking.objects.filter(session=session).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_resident_booked_twice_at_once_gets_one_slot():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.experts import actions
    from yigongti.experts.models import Booking

    s = build_scenario()
    session = helpers.session(s, capacity=5, reserved=0)
    p = helpers.resident(s)
    won, lost = _race([lambda: actions.book_slot(s.township_doctor, session, p).pk,
                       lambda: actions.book_slot(s.institution_admin_t1, session, p).pk])
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert Booking.objects.filter(session=session, resident=p).count() == 1
