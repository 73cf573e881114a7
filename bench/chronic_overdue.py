"""The overdue list (chronic.queries.due_list: the one query behind the page, the API and the call list) for one
village doctor and one township, on a county loaded with `yigongti demo --residents N` (the chronic bulk part
enrols ≈12 % of residents ≥35 in hypertension and ≈5 % in diabetes with two years of follow-ups).

    python -m bench.chronic_overdue --scale 10k      (10k | 100k | 1m, or a number; --postgres URL as well)

Prints, for each list, the rows in the list, the time of the count and of the first page (50 rows, with the
rows' days overdue and masked phone numbers computed) p50/p95 and the number of queries. A printed figure, not
a timed test. The list is an indexed range on (managing_doctor | area, status, next_due): the first page costs
the same at any size; the count grows with the rows in the list (see docs/chronic.md).
"""
from __future__ import annotations

import argparse
import json
import sys

from bench._site import Site, count

CODE = r"""
import django, json, time; django.setup()
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from yigongti.chronic import queries
from yigongti.chronic.models import Enrolment
from yigongti.org.models import Area, User

RUNS = %(runs)d
top = (Enrolment.objects.filter(status="active").exclude(managing_doctor=None).values("managing_doctor")
       .annotate(n=Count("id")).order_by("-n").first())
doctor = User.objects.get(pk=top["managing_doctor"]) if top else User.objects.get(username="demo-village-a")
office = User.objects.get(username="demo-office")
township = Area.objects.filter(level="township").annotate(n=Count("residents")).order_by("code").first()
cases = [("village doctor, own patients", doctor, {"scope": "mine"}),
         ("township (office)", office, {"scope": "township", "area_id": township.pk})]

def pct(values, p):
    values = sorted(values); return values[min(len(values) - 1, int(len(values) * p))]

out = []
for label, user, kw in cases:
    counts, pages, queries_n = [], [], []
    for _ in range(RUNS):
        for attr in ("_yg_area_scope", "_yg_roles_by_institution"):
            if hasattr(user, attr):
                delattr(user, attr)
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter(); n = queries.due_list(user, bucket="overdue", sort="overdue", **kw).count()
            counts.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            rows = queries.due_rows(user, list(queries.due_list(user, bucket="overdue", sort="overdue", **kw)[:50]))
            pages.append((time.perf_counter() - t) * 1000)
        queries_n.append(len(ctx.captured_queries))
    out.append({"list": label, "rows": n, "page": len(rows), "count_p50": pct(counts, .5),
                "count_p95": pct(counts, .95), "page_p50": pct(pages, .5), "page_p95": pct(pages, .95),
                "queries": max(queries_n), "enrolments": Enrolment.objects.count()})
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chronic_overdue")
    parser.add_argument("--scale", default="10k")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server to bench on as well")
    args, _ = parser.parse_known_args(argv)
    n = count(args.scale)
    engines = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    for label, pg in engines:
        site = Site(n, postgres=pg)
        try:
            rows = json.loads(site.python(CODE % {"runs": args.runs}).strip().splitlines()[-1])
            print(f"chronic overdue list, {n:,} residents, {rows[0]['enrolments']:,} enrolments on {label} "
                  f"({site.loaded})", flush=True)
            print(f"  {'list':<30}{'rows':>8}{'count p50':>11}{'p95':>8}{'page p50':>10}{'p95':>8}{'queries':>9}")
            for r in rows:
                print(f"  {r['list']:<30}{r['rows']:>8}{r['count_p50']:>9.1f}ms{r['count_p95']:>6.1f}ms"
                      f"{r['page_p50']:>8.1f}ms{r['page_p95']:>6.1f}ms{r['queries']:>9}")
        finally:
            site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
