"""Two readers claim the same request at the same moment: exactly one wins, on SQLite and on PostgreSQL
(design: concurrency recipe — file database, real transactions, threads released together by a Barrier)."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from . import helpers


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_reader_gets_the_request():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.diagnostics import actions
    from yigongti.diagnostics.models import Request
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role

    s = build_scenario()
    readers = [s.county_specialist] + [
        org_actions.create_staff(None, institution=s.county_hospital, username=f"reader-{i}", full_name=f"读片{i}",
                                 password=s.password, roles=[Role.COUNTY_SPECIALIST], validate=False)
        for i in (2, 3)]
    r = helpers.request(s, priority="stat")
    barrier = threading.Barrier(len(readers))
    won, lost, errors = [], [], []

    def reader(user):
        try:
            mine = Request.objects.select_related("centre").get(pk=r.pk)
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.claim_request(user, mine)
            won.append(user.pk)
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=reader, args=(u,)) for u in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == len(readers) - 1, (won, lost)
    assert all("status" in x for x in lost)
    r.refresh_from_db()
    assert r.status == "claimed" and r.reader_id == won[0]
