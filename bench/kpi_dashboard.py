"""The county dashboard for one year: read from the rollups vs computed from the raw encounter table.

    python -m bench.kpi_dashboard --scale 10k      (10k | 100k | 1m residents; goal ≤ 300 ms from rollups)

Builds a fresh database (SQLite file under var/ unless --database-url / DATABASE_URL names another), loads
a county with `yigongti demo --residents N` (the people bulk loader) when it exists, otherwise bulk-inserts
encounters of its own, runs `yigongti kpi rebuild`, then prints the time of the dashboard figures (every
成效分析 and national figure for the county, each township and each institution, with last year's) both
ways. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from bench._site import adopted_site
from bench._site import count as residents_at

ROOT = Path(__file__).resolve().parents[1]


def _setup(database_url: str | None, scale: str) -> str:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    elif not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / f"bench-kpi-{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yigongti.settings")
    # Field-encryption keys of the benchmark's own (never the developer's var/keys).
    os.environ.setdefault("YIGONGTI_KEY_DIR", str(ROOT / "var" / "bench-keys"))
    if not os.environ.get("YIGONGTI_SECRET_KEY") and not (ROOT / "var" / "secret_key").exists():
        os.environ["YIGONGTI_SECRET_KEY"] = "bench-only-secret-key-" + "x" * 40
    import django

    django.setup()
    return os.environ["DATABASE_URL"]


def _reset_postgres() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def _load(residents: int, seed: int) -> str:
    """The people bulk loader when it is there, else encounters of our own."""
    from django.core.management import call_command

    from yigongti.demo.registry import parts
    from yigongti.people.models import Encounter

    if any(p.bulk is not None and p.name.startswith("people") for p in parts()):
        try:
            call_command("demo", residents=residents, seed=seed, stdout=open(os.devnull, "w"))  # noqa: SIM115
        except Exception as exc:  # noqa: BLE001 - a loader in progress must not stop the measurement
            print(f"(yigongti demo --residents failed: {type(exc).__name__}: {exc}; the bench inserts the rest)")
        if Encounter.objects.exists():
            return "yigongti demo --residents"
        _own_bulk(residents, seed)
        return "yigongti demo --residents (structure, residents) + bench bulk insert (encounters)"
    _own_bulk(residents, seed)
    return "bench bulk insert"


def _own_bulk(residents: int, seed: int) -> None:
    """A county of ``residents`` with two years of encounters (≈ 5 visits a resident a year, 1 stay in 12):
    org structure, residents and encounters bulk-inserted in one transaction (no events: rebuild follows)."""

    from django.db import transaction

    from yigongti.org.models import Area, Institution
    from yigongti.people.models import Resident

    rng = random.Random(seed)
    townships = max(3, residents // 20_000)
    villages_per_township = 12
    if Institution.objects.exists():
        _encounters_for_existing(rng)
        return
    with transaction.atomic():
        county = Area.objects.create(code="360199", name="示范县", level="county")
        hospital = Institution.objects.create(code="H001", name="县人民医院", tier="county",
                                              kind="general_hospital", area=county, is_lead=True)
        tcm_hospital = Institution.objects.create(code="H002", name="县中医院", tier="county",
                                                  kind="tcm_hospital", area=county)
        centres, clinics, villages = [], [], []
        for t in range(townships):
            town = Area.objects.create(code=f"360199{100 + t:03d}000", name=f"第{t + 1}镇", level="township",
                                       parent=county)
            centre = Institution.objects.create(code=f"T{t:03d}", name=f"第{t + 1}镇卫生院", tier="township",
                                                kind="township_centre", area=town)
            centres.append(centre)
            for v in range(villages_per_township):
                village = Area.objects.create(code=f"360199{100 + t:03d}{200 + v:03d}", name=f"第{t + 1}镇{v + 1}村",
                                              level="village", parent=town)
                villages.append((village, centre))
                clinics.append((Institution.objects.create(
                    code=f"V{t:03d}{v:03d}", name=f"第{t + 1}镇{v + 1}村卫生室", tier="village",
                    kind="village_clinic", area=village, parent=centre), village))
        people = []
        for n in range(residents):
            village, _centre = villages[n % len(villages)]
            people.append(Resident(name=f"居民{n}", name_initials="JM", sex=rng.choice("12"),
                                   birth_date=dt.date(1950 + n % 60, 1, 1), area=village, status="active"))
        Resident.objects.bulk_create(people, batch_size=5000)
        _encounters(rng, list(Resident.objects.values_list("id", flat=True)), [hospital, tcm_hospital], centres,
                    [c for c, _v in clinics])


def _encounters_for_existing(rng: random.Random) -> None:
    from yigongti.org.models import Institution
    from yigongti.people.models import Resident

    by_tier = {t: list(Institution.objects.filter(tier=t, active=True)) for t in ("county", "township", "village")}
    _encounters(rng, list(Resident.objects.values_list("id", flat=True)), by_tier["county"], by_tier["township"],
                by_tier["village"] or by_tier["township"])


def _encounters(rng: random.Random, resident_ids: list[int], hospitals, centres, clinics) -> None:
    """Six to fourteen encounters a resident over 2024–2025 (one in twelve a stay), in one transaction."""
    from decimal import Decimal

    from django.db import transaction

    from yigongti.people.models import Encounter

    hospital, tcm_hospital = hospitals[0], hospitals[-1]
    with transaction.atomic():
        batch = []
        start = dt.date(2024, 1, 1)
        for rid in resident_ids:
            for _visit in range(rng.randint(6, 14)):
                day = start + dt.timedelta(days=rng.randrange(731))
                roll = rng.random()
                if roll < 0.08:
                    inst, kind = rng.choice([hospital, tcm_hospital, rng.choice(centres)]), "inpatient"
                    total = Decimal(rng.randrange(150_000, 900_000)) / 100
                    discharge = day + dt.timedelta(days=rng.randint(2, 12))
                    if discharge > dt.date(2025, 12, 31):
                        discharge = None
                else:
                    inst = rng.choice([hospital, rng.choice(centres), rng.choice(clinics), rng.choice(clinics)])
                    kind, discharge = ("emergency" if roll > 0.95 else "outpatient"), None
                    total = Decimal(rng.randrange(2_000, 40_000)) / 100
                drug = (total * Decimal(rng.randint(20, 55)) / 100).quantize(Decimal("0.01"))
                service = (total * Decimal(rng.randint(15, 40)) / 100).quantize(Decimal("0.01"))
                batch.append(Encounter(resident_id=rid, institution=inst, kind=kind, visit_date=day,
                                       discharge_date=discharge, total_cost=total, drug_cost=drug,
                                       consumables_cost=Decimal("0.00"), medical_service_income=service,
                                       insurance_paid=(total * Decimal("0.6")).quantize(Decimal("0.01")),
                                       is_tcm=inst == tcm_hospital or rng.random() < 0.08,
                                       primary_diagnosis="I10", source="his"))
                if len(batch) >= 20_000:
                    Encounter.objects.bulk_create(batch)
                    batch = []
        Encounter.objects.bulk_create(batch)


def _dashboard_from_rollups(year: int):
    from yigongti.kpi.views import dashboard_context
    from yigongti.rules.indicators import Period

    return dashboard_context(Period(year, "year"))


def _dashboard_from_raw(year: int):
    """The same figures computed from the encounter table: aggregate the year's and last year's encounters
    by institution, then the same arithmetic for every cut."""
    from yigongti.kpi import catalog, encounters
    from yigongti.kpi.structure import shape
    from yigongti.kpi.views import EFFECT_CODES, NATIONAL_LIVE
    from yigongti.people.models import Encounter
    from yigongti.rules.indicators import Period

    sh = shape()
    out = {}
    for period in (Period(year, "year"), Period(year - 1, "year")):
        qs = Encounter.objects.filter(encounters.period_q(period))
        cells = encounters.raw_cells(qs)
        for cell in cells:
            cell["tier"] = sh.institutions[cell["institution_id"]].tier
        cuts = [*sh.cuts("county"), *sh.cuts("township"), *sh.cuts("institution")]
        for code in NATIONAL_LIVE + EFFECT_CODES:
            indicator = catalog.get(code)
            if indicator.spec is None:  # not an encounter figure (secondments, settlements): no rollup to compare
                continue
            allowed = [c for c in cuts if c.level in indicator.levels]
            out[(period.code, code)] = encounters.figures_by(indicator, period, allowed, sh, cells)
    return out


def _time(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kpi_dashboard")
    parser.add_argument("--scale", default="10k", help="10k | 100k | 1m, or a number of residents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args, _rest = parser.parse_known_args(argv)
    site = adopted_site(args.database_url, residents_at(args.scale), args.seed)
    url = _setup(args.database_url, args.scale)
    try:
        return _measure(args, url, site)
    finally:
        if site is not None:
            site.close()


def _measure(args, url: str, site) -> int:
    from django.core.management import call_command
    from django.db import transaction

    try:
        from yigongti.people.models import Encounter
    except ImportError:
        print("bench.kpi_dashboard: the people app has no Encounter model yet; nothing to measure")
        return 0
    from yigongti.kpi import actions
    from yigongti.kpi.models import EncounterRollup

    if site is not None:
        how = f"yigongti demo --residents, {site.loaded}"
    else:
        _reset_postgres()
        call_command("init-local", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        how = _load(residents_at(args.scale), args.seed)
        how += f", {time.perf_counter() - started:.1f}s"
    started = time.perf_counter()
    with transaction.atomic():
        actions.rebuild()
    rebuilt = time.perf_counter() - started
    year = 2025
    n_enc = Encounter.objects.count()
    n_roll = EncounterRollup.objects.count()
    _dashboard_from_rollups(year)  # warm the connection and caches of the ORM
    rollup_ms, rollup_min = _time(lambda: _dashboard_from_rollups(year), args.runs)
    raw_ms, raw_min = _time(lambda: _dashboard_from_raw(year), max(1, args.runs // 2))
    engine = url.split(":", 1)[0]
    print(f"scale {args.scale}: {n_enc:,} encounters ({how}), {n_roll:,} rollup rows "
          f"(kpi rebuild {rebuilt:.1f}s), database {engine}")
    print(f"county dashboard {year} from rollups : {rollup_ms:8.1f} ms (median of {args.runs}; best "
          f"{rollup_min:.1f} ms; goal ≤ 300 ms)")
    print(f"same figures from raw encounters   : {raw_ms:8.1f} ms (median; best {raw_min:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
