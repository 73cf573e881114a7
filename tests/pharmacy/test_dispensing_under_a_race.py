"""Two doctors dispense from the same village stock at the same moment (design: "Concurrency recipe"): the
batches are taken first-expiry-first-out, locked in (expiry, id) order on PostgreSQL and claimed with a
conditional UPDATE on both databases, so stock never goes negative and no unit is given twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_pharm .venv/bin/pytest -p no:xdist tests/pharmacy -m race
"""
import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.models import Sum

from tests.scenario import build_scenario

from . import helpers as h


def _race(want_each: int):
    from yigongti.pharmacy import actions
    from yigongti.pharmacy.models import StockBatch, StockMove

    s = build_scenario()
    with transaction.atomic():
        d = h.drug(s)
        h.stock(s, s.clinic_a, d, 6, batch_no="EARLY", days=30)
        h.stock(s, s.clinic_a, d, 4, batch_no="LATE", days=300)
        rxs = [h.prescription(s, d, want_each) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def dispense(i):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.dispense_prescription(s.village_doctor_a, rxs[i])
            outcomes[i] = "dispensed"
        except actions.OutOfStock:
            outcomes[i] = "short"
        except Exception as exc:  # pragma: no cover - reported below
            outcomes[i] = repr(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=dispense, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    quantities = dict(StockBatch.objects.filter(drug=d).values_list("batch_no", "quantity"))
    given = -(StockMove.objects.filter(drug=d, kind="dispense").aggregate(n=Sum("quantity"))["n"] or 0)
    return outcomes, quantities, given


def _file_db():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_dispenses_that_together_exceed_the_stock_succeeds():
    _file_db()
    outcomes, quantities, given = _race(7)
    assert sorted(outcomes.values()) == ["dispensed", "short"], outcomes
    assert quantities == {"EARLY": 0, "LATE": 3} and given == 7


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_dispenses_that_fit_both_succeed_and_empty_the_batches():
    _file_db()
    outcomes, quantities, given = _race(5)
    assert sorted(outcomes.values()) == ["dispensed", "dispensed"], outcomes
    assert quantities == {"EARLY": 0, "LATE": 0} and given == 10
