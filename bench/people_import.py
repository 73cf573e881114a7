"""Residents through the import path (CSV → parse → people.actions.register_resident per row, chunked
transactions) next to a raw bulk insert of the same rows (people.bulk: COPY on PostgreSQL, executemany on
SQLite, same SM4-GCM sealing and HMAC-SM3 blind indexes), and the idempotent re-import.

    python -m bench.people_import --scale 10k            (10k | 100k | 1m, or a number)

Runs on SQLite (a temporary file) and, when DATABASE_URL names a PostgreSQL server (or --postgres URL is
given), on a throwaway database created on that server and dropped afterwards — never the user's database.
Each engine runs in its own process. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
ROOT = Path(__file__).resolve().parents[1]
VILLAGES = 12


def _count(scale: str) -> int:
    return SCALES.get(scale.lower()) or int(scale)


def _pg_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


# --- one engine, in its own process -----------------------------------------------------------------------

def _setup(database_url: str, key_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["YIGONGTI_KEY_DIR"] = key_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yigongti.settings")
    if not os.environ.get("YIGONGTI_SECRET_KEY") and not (ROOT / "var" / "secret_key").exists():
        os.environ["YIGONGTI_SECRET_KEY"] = "bench-only-secret-key-" + "x" * 40
    import django

    django.setup()
    from django.core.management import call_command

    from yigongti.people.crypto import ensure_local_keys, reset_provider_cache

    ensure_local_keys(Path(key_dir))
    reset_provider_cache()
    call_command("migrate", verbosity=0)


def _county():
    """A township centre serving a dozen villages, and a township doctor who imports for it."""
    from django.db import transaction

    from yigongti.org import actions
    from yigongti.org.models import Role
    from yigongti.rules.areas import township_code, village_code

    with transaction.atomic():
        county = actions.create_area(None, code="360199", name="基准县", level="county")
        township = actions.create_area(None, code=township_code("360199", 100), name="基准镇", level="township",
                                       parent=county)
        villages = [actions.create_area(None, code=village_code(township.code, 200 + i), name=f"基准{i}村",
                                        level="village", parent=township) for i in range(1, VILLAGES + 1)]
        centre = actions.create_institution(None, code="B001", name="基准镇卫生院", tier="township",
                                            kind="township_centre", area=township, service_areas=[township])
        doctor = actions.create_staff(None, institution=centre, username="bench-doctor", full_name="基准医生",
                                      password=uuid.uuid4().hex, roles=[Role.TOWNSHIP_DOCTOR], validate=False)
    return villages, centre, doctor


def _people(n: int, villages, today: dt.date):
    import random

    from yigongti.people.demo_data import PeopleFactory

    factory = PeopleFactory(random.Random(20261101), today)
    rows = []  # (person, village, household number, address)
    per_village = n // len(villages) + 1
    for village in villages:
        for number, household in enumerate(factory.village(per_village), start=1):
            for person in household.members:
                rows.append((person, village, f"{number:05d}", f"{village.name}{number % 40 + 1}组{number}号"))
                if len(rows) == n:
                    return rows
    return rows[:n]


def _csv(rows) -> bytes:
    import csv
    import io

    relation = {"head": "户主", "spouse": "配偶", "child": "子女", "grandchild": "孙子女", "parent": "父母",
                "child_in_law": "儿媳/女婿"}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "证件号码", "性别", "出生日期", "村/社区", "本人电话", "现住址", "户编号", "与户主关系"])
    for person, village, household, address in rows:
        writer.writerow([person.name, person.id_number, "男" if person.sex == "1" else "女",
                         person.birth_date.isoformat(), village.code, person.phone, address, household,
                         relation[person.relation]])
    return buffer.getvalue().encode("utf-8-sig")


def _bulk_insert(rows, centre) -> float:
    """The same residents and their households by people.bulk, sealed like the actions seal them."""
    from django.db import transaction

    from yigongti.people.bulk import BulkTable, Sealer, next_id, reset_sequences
    from yigongti.people.bulkload import HOUSEHOLD_FIELDS, RESIDENT_FIELDS, _name_keys
    from yigongti.people.models import Household, Resident

    started = time.perf_counter()
    sealer, keys = Sealer(), _name_keys()
    rid, hid = next_id(Resident), next_id(Household)
    households: dict[str, int] = {}
    serials: dict[str, int] = {}
    h_rows, r_rows = [], []
    for person, village, household, address in rows:
        number = f"{village.code}{household}"
        if number not in households:
            households[number] = hid
            h_rows.append((hid, number, village.pk, rid, sealer.encrypt(address)))
            hid += 1
        serials[village.code] = serials.get(village.code, 0) + 1
        initials, pinyin = keys(person.name)
        r_rows.append((rid, person.name, initials, pinyin, person.sex, person.birth_date, "id_card",
                       sealer.encrypt(person.id_number), sealer.index("document", person.id_number),
                       sealer.encrypt(person.phone), sealer.index("phone", person.phone),
                       sealer.index("phone4", person.phone[-4:]) if person.phone else "",
                       sealer.encrypt(address), village.pk, households[number], person.relation, True, True,
                       "resident", f"{village.code}{serials[village.code]:05d}", centre.pk))
        rid += 1
    with transaction.atomic():
        BulkTable(Household, HOUSEHOLD_FIELDS).write(h_rows)
        BulkTable(Resident, RESIDENT_FIELDS).write(r_rows)
        reset_sequences(Resident, Household)
    return time.perf_counter() - started


def _clear() -> None:
    from django.db import connection, transaction

    from yigongti.people.models import Household, Resident

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Household._meta.db_table} SET head_id = NULL")  # noqa: S608
        cursor.execute(f"UPDATE {Resident._meta.db_table} SET household_id = NULL")  # noqa: S608
        cursor.execute(f"DELETE FROM {Resident._meta.db_table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {Household._meta.db_table}")  # noqa: S608


def run_engine(engine: str, n: int, database_url: str) -> int:
    key_dir = tempfile.mkdtemp(prefix="yg-bench-keys-")
    _setup(database_url, key_dir)
    from django.db import connection

    from yigongti.people.importing import import_file
    from yigongti.people.models import Resident

    villages, centre, doctor = _county()
    rows = _people(n, villages, dt.date(2026, 11, 1))
    data = _csv(rows)

    bulk_seconds = _bulk_insert(rows, centre)
    assert Resident.objects.count() == len(rows)
    _clear()

    def progress(counts, total):
        if counts.rows % 5000 < 500 or counts.rows == total:
            elapsed = time.perf_counter() - started
            print(f"    import: {counts.rows:,}/{total:,} rows, {counts.rows / elapsed:,.0f} rows/s", flush=True)

    started = time.perf_counter()
    first = import_file("residents", data, "bench.csv", actor=doctor, institution=centre, progress=progress)
    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = import_file("residents", data, "bench.csv", actor=doctor, institution=centre)
    again_seconds = time.perf_counter() - started
    ok = first.created == len(rows) and first.failed == 0 and again.created == 0 and again.unchanged == len(rows)

    label = f"{engine} ({connection.vendor}, {len(rows):,} residents)"
    print(f"  {label}")
    print(f"    import path (actions, per row)  {len(rows) / import_seconds:>10,.0f} rows/s  ({import_seconds:.1f} s)")
    print(f"    re-import, nothing new          {len(rows) / again_seconds:>10,.0f} rows/s  ({again_seconds:.1f} s)")
    print(f"    raw bulk insert (same rows)     {len(rows) / bulk_seconds:>10,.0f} rows/s  ({bulk_seconds:.1f} s)")
    print(f"    bulk / import                   {import_seconds / bulk_seconds:>10,.1f} ×")
    if not ok:
        print(f"    UNEXPECTED: first {first.created} new / {first.failed} bad, again {again.created} new", flush=True)
    connection.close()
    return 0 if ok else 1


# --- the driver -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.people_import")
    parser.add_argument("--scale", default="10k", help="10k | 100k | 1m, or a number of residents")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (default: DATABASE_URL if "
                                                        "it names one); a throwaway database is made on it")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args, _rest = parser.parse_known_args(argv)
    n = _count(args.scale)
    if args.engine:
        return run_engine(args.engine, n, args.database_url)

    server = args.postgres or (os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")) else "")
    print(f"people import vs bulk insert, {n:,} residents", flush=True)
    failures = 0
    child = [sys.executable, "-m", "bench.people_import", "--scale", str(n)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="yg-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite3"
            failures += subprocess.call([*child, "--engine", "sqlite", "--database-url", url], env=env, cwd=ROOT)
    if server:
        name = f"yg_bench_people_{os.getpid()}"
        _admin(server, f'CREATE DATABASE "{name}"')
        try:
            failures += subprocess.call([*child, "--engine", "postgres", "--database-url", _pg_url(server, name)],
                                        env=env, cwd=ROOT)
        finally:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        print("  (no PostgreSQL: set DATABASE_URL=postgres://… or pass --postgres URL to bench it too)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
