"""Dispensing: time per prescription (first-expiry-first-out across batches, ledger rows, the encounter's drug
cost through people) alone and under contention — several threads dispensing from one clinic's stock at once.

    python -m bench.pharmacy_dispense [--prescriptions 200] [--threads 4] [--database-url postgres://…]

Builds a fresh database (SQLite file under var/ unless --database-url / DATABASE_URL names another), the
scenario county of the tests, a drug stocked in many small batches, then prints: median and p95 ms of a
dispense done alone; for the contended run, dispensed / refused for shortage / other errors, wall time, and
that the stock never went below zero and matches the ledger. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup(database_url: str | None) -> str:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench-pharmacy.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yigongti.settings")
    os.environ.setdefault("YIGONGTI_KEY_DIR", str(ROOT / "var" / "bench-keys"))
    os.environ.setdefault("YIGONGTI_KEY_AUTO_CREATE", "1")
    if not os.environ.get("YIGONGTI_SECRET_KEY") and not (ROOT / "var" / "secret_key").exists():
        os.environ["YIGONGTI_SECRET_KEY"] = "bench-only-secret-key-" + "x" * 40
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prescriptions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url")
    parser.add_argument("--scale", default="10k", help="accepted for `make bench`; the figure depends on prescriptions")
    args, _ = parser.parse_known_args(argv)
    url = _setup(args.database_url)

    from django.conf import settings
    from django.db import close_old_connections, connection, transaction
    from django.db.models import Sum

    settings.KEY_AUTO_CREATE = True
    from tests.pharmacy import helpers as h
    from tests.scenario import build_scenario

    from yigongti.pharmacy import actions
    from yigongti.pharmacy.models import StockBatch, StockMove

    with transaction.atomic():
        s = build_scenario()
        d = h.drug(s)
        for i in range(40):  # many small batches, so most dispenses cross two of them
            h.stock(s, s.clinic_a, d, 7, batch_no=f"BENCH-{i:03d}", days=30 + 10 * i)
    n = args.prescriptions
    with transaction.atomic():
        alone = [h.prescription(s, d, 2) for _ in range(n // 2)]
        contended = [h.prescription(s, d, 3) for _ in range(n - n // 2)]

    times = []
    for rx in alone:
        t0 = time.perf_counter()
        with transaction.atomic(durable=True):
            actions.dispense_prescription(s.village_doctor_a, rx)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    print(f"dispense alone: {len(times)} prescriptions, median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms")

    outcomes = {"dispensed": 0, "short": 0, "error": 0}
    lock = threading.Lock()
    queue = list(contended)
    barrier = threading.Barrier(args.threads)

    def worker():
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    break
                rx = queue.pop()
            try:
                with transaction.atomic(durable=True):
                    actions.dispense_prescription(s.village_doctor_a, rx)
                key = "dispensed"
            except actions.OutOfStock:
                key = "short"
            except Exception as exc:  # noqa: BLE001 - counted and shown
                key = "error"
                print("  error:", repr(exc)[:200])
            with lock:
                outcomes[key] += 1
        close_old_connections()
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    left = StockBatch.objects.filter(drug=d).aggregate(n=Sum("quantity"))["n"]
    ledger = StockMove.objects.filter(drug=d).aggregate(n=Sum("quantity"))["n"]
    negative = StockBatch.objects.filter(quantity__lt=0).count()
    print(f"contended ({args.threads} threads): {outcomes['dispensed']} dispensed, {outcomes['short']} refused for "
          f"shortage, {outcomes['error']} errors in {wall:.2f} s "
          f"({(outcomes['dispensed'] + outcomes['short']) / wall:.1f} per second)")
    print(f"stock left {left} = ledger sum {ledger}; batches below zero: {negative}")
    return 0 if negative == 0 and left == ledger and outcomes["error"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
