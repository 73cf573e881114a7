"""The county reading centre's worklist and the diagnostics figures at a county's volume.

    python -m bench.diagnostics_worklist --scale 10k [--readings 20000] [--postgres postgres://…]

On a throwaway site loaded with `yigongti demo --residents N` (bench/_site.py), bulk-inserts ``--readings`` more
requests spread over a year (benchmark data: straight inserts, no actions; default 20k / 60k / 200k for 10k /
100k / 1m residents — the seeds' consortia read 12–20k ECGs and images a year), 1 % of them still open, then
prints the time of: the reader's worklist first page (urgent first, oldest first, with timers), one request's
page read (audited), claiming (the action, with its conditional UPDATE), a recognition lookup (the latest
published result of a test for a resident within its window) and all twelve diagnostics figures for the county
and every institution for the last year. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json

from bench._site import Site, count

READINGS = {"10k": 20_000, "100k": 60_000, "1m": 200_000}

CODE = r"""
import django, json, random, statistics, time, datetime as dt; django.setup()
from django.db import transaction
from django.utils import timezone
from yigongti.diagnostics import actions, queries
from yigongti.diagnostics.catalog import ensure_catalog
from yigongti.diagnostics.models import Centre, Request, Test
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader
from yigongti.kpi.structure import shape
from yigongti.org.models import Institution, User
from yigongti.people.models import Resident
from yigongti.rules.indicators import parse_period

N, SEED = %(readings)d, %(seed)d
rng = random.Random(SEED)
ensure_catalog()
hospital = Institution.objects.filter(tier="county", is_lead=True).first()
centre = Centre.objects.filter(institution=hospital).first() or actions.create_centre(
    None, institution=hospital, name="bench centre", modalities=["ecg", "dr", "us", "ct", "lab"])
primary = list(Institution.objects.filter(tier__in=["township", "village"]))
residents = list(Resident.objects.values_list("pk", flat=True)[:20000])
tests = list(Test.objects.all())
now = timezone.now()
rows = []
for i in range(N):
    test = tests[rng.randrange(len(tests))]
    asked = now - dt.timedelta(days=rng.randrange(0, 365), minutes=rng.randrange(1440))
    priority = rng.choice(["stat", "urgent", "routine", "routine", "routine"])
    done = rng.random() > 0.01
    minutes = rng.randrange(10, 60) if priority == "stat" else rng.randrange(30, 1800)
    rows.append(Request(number=f"B{i:09d}", resident_id=residents[rng.randrange(len(residents))], test=test,
                        modality=test.modality, priority=priority, requesting_institution=primary[rng.randrange(len(primary))],
                        centre=centre, status="published" if done else "requested", requested_at=asked,
                        published_at=asked + dt.timedelta(minutes=minutes) if done else None))
t = time.perf_counter()
with transaction.atomic():
    Request.objects.bulk_create(rows, batch_size=2000)
out = {"inserted": N, "insert_s": time.perf_counter() - t, "total": Request.objects.count()}
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")

def timed(fn, repeat=5):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter(); result = fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result

reader = User.objects.get(username="demo-specialist")
out["open"] = queries.worklist(reader).count()
def page():
    rows = list(queries.worklist(reader)[:50])
    return [queries.timer(r) for r in rows]
out["worklist_ms"], _ = timed(page)
first = queries.worklist(reader).filter(status="requested").first()
out["read_ms"], _ = timed(lambda: queries.get_request_for(reader, first.pk))
claims = []
for r in list(queries.worklist(reader).filter(status="requested")[:10]):
    t = time.perf_counter()
    with transaction.atomic():
        actions.claim_request(reader, r)
    claims.append((time.perf_counter() - t) * 1000)
out["claim_ms"] = statistics.median(claims)
some = Request.objects.filter(status="published").order_by("-pk").select_related("test")[:20]
out["recognition_ms"], _ = timed(lambda: [actions.recognised_result(r.resident_id, r.test) for r in some], repeat=3)
out["recognition_ms"] /= 20
sh = shape()
year = parse_period(str(timezone.localdate().year - 1))
codes = [i for i in catalog.computable() if i.code.startswith("diagnostics.")]
cuts = [c for level in ("county", "institution") for c in sh.cuts(level)]
out["figures"], out["cuts"] = len(codes), len(cuts)
def figures(wanted):
    fresh = shape()
    return [Reader(fresh).live(i, year, wanted) for i in codes]
out["figures_ms"], _ = timed(lambda: figures(cuts), repeat=3)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diagnostics_worklist")
    parser.add_argument("--scale", default="10k", help="residents: 10k | 100k | 1m, or a number")
    parser.add_argument("--readings", type=int, default=None)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    residents = count(args.scale)
    readings = args.readings or READINGS.get(args.scale, 60_000)
    site = Site(residents, postgres=args.postgres, seed=args.seed)
    try:
        out = json.loads(site.python(CODE % {"readings": readings, "seed": args.seed}).strip().splitlines()[-1])
    finally:
        site.close()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {residents} residents ("
          f"{site.loaded}) + {out['inserted']} readings inserted in {out['insert_s']:.1f} s "
          f"({out['total']} in all)")
    print(f"  reader's worklist, first page of {out['open']} open (urgent first, timers): {out['worklist_ms']:.1f} ms")
    print(f"  one request's page read (audited): {out['read_ms']:.1f} ms")
    print(f"  claim (conditional UPDATE): {out['claim_ms']:.1f} ms")
    print(f"  recognition lookup (latest result of a test within its window): {out['recognition_ms']:.2f} ms")
    print(f"  {out['figures']} diagnostics figures × {out['cuts']} cuts, last year: {out['figures_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
