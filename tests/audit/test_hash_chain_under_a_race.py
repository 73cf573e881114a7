"""Four writers append to one institution's chain at the same moment: the chain stays whole (no two entries
with one sequence number, every link right), on SQLite and PostgreSQL (design: concurrency recipe)."""
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain_whole():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.audit import chain
    from yigongti.audit.log import record_change
    from yigongti.audit.models import AuditEntry

    s = build_scenario()
    barrier = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic(durable=True):
                    record_change(s.township_doctor, action="update", subject=s.centre_1, before={"n": n},
                                  after={"n": n, "i": i}, institution_id=s.centre_1.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = list(AuditEntry.objects.filter(institution_id=s.centre_1.pk).order_by("chain_seq")
                .values_list("chain_seq", flat=True))
    assert len(seqs) >= 20 and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    report = chain.verify()
    assert report.ok, report.problems


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_writers_of_two_chains_in_opposite_orders_do_not_deadlock():
    """One transaction writes for centre 1 then centre 2, another for centre 2 then centre 1, both at once.
    Holding one head while blocking on another in the opposite order would deadlock on PostgreSQL (one
    transaction aborted); a writer only ever blocks on a head above every head it holds, and otherwise
    chains the entry into a head it already holds."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.audit import chain
    from yigongti.audit.log import record_change
    from yigongti.audit.models import AuditEntry

    s = build_scenario()
    before = AuditEntry.objects.count()
    first_done = threading.Barrier(2, timeout=20)
    errors = []

    def writer(order):
        try:
            with transaction.atomic(durable=True):
                for n, inst in enumerate(order):
                    record_change(s.township_doctor, action="update", subject=inst, before={"n": n},
                                  after={"n": n + 1}, institution_id=inst.pk)
                    if n == 0:
                        try:
                            first_done.wait()  # both now hold their first head
                        except threading.BrokenBarrierError:
                            pass  # SQLite: the other writer waits for this transaction to end
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    if connection.vendor == "sqlite":
        first_done = threading.Barrier(2, timeout=0.5)
    threads = [threading.Thread(target=writer, args=(order,))
               for order in ((s.centre_1, s.centre_2), (s.centre_2, s.centre_1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert AuditEntry.objects.count() - before >= 4
    report = chain.verify()
    assert report.ok, report.problems
