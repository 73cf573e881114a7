"""Resident search (people.queries.search: scoped to the user, what the list page, the API and FHIR run)
p50/p95 next to a direct indexed query for the same rows (no scope, no audit), on a county loaded with
`yigongti demo --residents N`.

    python -m bench.resident_search --scale 10k     (10k | 100k | 1m, or a number)

Searches: the citizen ID (blind index), the phone's last four, pinyin initials, a part of the name; as the
consortium office (whole county) and as a village doctor (one village). A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json
import sys

from bench._site import Site, count

CODE = r"""
import django, json, statistics, time; django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from yigongti.org.models import User
from yigongti.people import crypto
from yigongti.people.models import Resident
from yigongti.people.queries import search, search_condition

RUNS = %(runs)d
sample = list(Resident.objects.order_by("?").values_list("pk", "name", "name_initials", "document_number_enc",
                                                          "phone_enc")[:RUNS])
users = {"consortium office": User.objects.get(username="demo-office"),
         "village doctor": User.objects.get(username="demo-village-a")}
kinds = {
    "citizen ID": lambda r: crypto.decrypt(r[3]) if r[3] else None,
    "phone last four": lambda r: crypto.decrypt(r[4])[-4:] if r[4] else None,
    "pinyin initials": lambda r: r[2] or None,
    "part of the name": lambda r: r[1][-2:] if r[1] else None,
}

def timed(fn):
    t = time.perf_counter(); fn(); return (time.perf_counter() - t) * 1000

def pct(values, p):
    values = sorted(values); return values[min(len(values) - 1, int(len(values) * p))]

out = []
for kind, term_of in kinds.items():
    terms = [t for t in (term_of(r) for r in sample) if t]
    for label, user in users.items():
        scoped, direct, queries = [], [], []
        for term in terms:
            with CaptureQueriesContext(connection) as ctx:
                scoped.append(timed(lambda: list(search(user, term)[:50])))
            queries.append(len(ctx.captured_queries))
            cond = search_condition(term)
            direct.append(timed(lambda: list(Resident.objects.filter(cond).order_by("name", "pk")[:50])))
        out.append({"kind": kind, "user": label, "n": len(terms), "p50": pct(scoped, .5), "p95": pct(scoped, .95),
                    "direct_p50": pct(direct, .5), "direct_p95": pct(direct, .95),
                    "queries": statistics.mean(queries)})
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.resident_search")
    parser.add_argument("--scale", default="10k")
    parser.add_argument("--runs", type=int, default=200, help="searches per kind and user")
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server to bench on as well")
    args, _ = parser.parse_known_args(argv)
    n = count(args.scale)
    engines = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    for label, pg in engines:
        site = Site(n, postgres=pg)
        try:
            print(f"resident search, {n:,} residents on {label} ({site.loaded})", flush=True)
            rows = json.loads(site.python(CODE % {"runs": args.runs}).strip().splitlines()[-1])
            print(f"  {'search':<18}{'as':<19}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'direct p50':>12}{'direct p95':>12}"
                  f"{'queries':>9}")
            for r in rows:
                print(f"  {r['kind']:<18}{r['user']:<19}{r['n']:>5}{r['p50']:>9.2f}{r['p95']:>9.2f}"
                      f"{r['direct_p50']:>12.2f}{r['direct_p95']:>12.2f}{r['queries']:>9.1f}")
        finally:
            site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
