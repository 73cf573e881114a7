"""Settlement import and the money pages at a county's volume.

    python -m bench.finance_settlement --scale 10k [--lines 20000] [--postgres postgres://…]

On a throwaway site loaded with `yigongti demo --residents N` (bench/_site.py; the demo's finance part makes the
worked-example budget years), imports ``--lines`` settlement lines (a CSV in the documented layout: every
member institution × 12 months × 2 schemes × inpatient/outpatient, then out-of-county providers to fill) through
the real import (per-row savepoints, audit entries), imports the same file again (all unchanged), and times: the
budget-year overview (deductions, schedule, spend by tier and institution, burn-down, forecast), the year-end
result (split by tier and member), the four settlement indicators' live values, the penalties list, and one
month's work points for the largest township centre. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json

from bench._site import Site, count

CODE = r"""
import django, json, random, time, datetime as dt; django.setup()
from decimal import Decimal
from yigongti.finance import actions, queries, workpoints
from yigongti.finance.importing import import_settlements
from yigongti.finance.indicators import ALL_SETTLEMENT_INDICATORS
from yigongti.finance.models import BudgetYear, Settlement
from yigongti.kpi.queries import Reader
from yigongti.kpi.structure import shape
from yigongti.org.models import Institution, User
from yigongti.rules.indicators import parse_period

N, SEED = %(lines)d, %(seed)d
rng = random.Random(SEED)
office = User.objects.get(username="demo-office")
YEAR = 2024
actions.set_budget_year(office, year=YEAR, gross_fund="900000000", insured=500000)
members = list(Institution.objects.filter(active=True).order_by("code"))
rows = ["结算月份,险种,类别,县域内,定点机构编码,定点机构名称,结算人次,结算人数,医疗总费用,基金支付"]
for inst in members:
    for m in range(1, 13):
        for scheme in ("职工", "居民"):
            for care in ("住院", "门诊"):
                if len(rows) > N:
                    break
                fund = rng.randint(1000, 900000)
                rows.append(f"{YEAR}-{m:02d},{scheme},{care},是,{inst.code},,{rng.randint(1, 900)},1,{fund * 2},{fund}")
n = 0
while len(rows) <= N:
    m = n %% 12 + 1
    fund = rng.randint(1000, 900000)
    rows.append(f"{YEAR}-{m:02d},居民,住院,否,X{n // 12:05d},县外医院{n // 12},{rng.randint(1, 90)},1,{fund * 2},{fund}")
    n += 1
data = ("\n".join(rows) + "\n").encode()
def timed(fn, repeat=1):
    best, result = None, None
    for _ in range(repeat):
        t = time.perf_counter(); result = fn(); ms = (time.perf_counter() - t) * 1000
        best = ms if best is None else min(best, ms)
    return best, result
out = {"lines": len(rows) - 1, "members": len(members)}
ms, counts = timed(lambda: import_settlements(office, data, "bench.csv"))
out.update(import_s=ms / 1000, created=counts.created, failed=counts.failed)
ms, again = timed(lambda: import_settlements(office, data, "bench.csv"))
out.update(reimport_s=ms / 1000, unchanged=again.unchanged)
by = BudgetYear.objects.get(year=YEAR)
out["overview_ms"], view = timed(lambda: queries.overview(by, on=dt.date(YEAR, 12, 31)), repeat=3)
out["in_county_share"] = str(view["spend"]["in_county_share"])
out["year_end_ms"], result = timed(lambda: queries.year_end_result(by), repeat=3)
out["year_end"] = result["code"]
sh = shape()
period = parse_period(str(YEAR))
cuts = sh.cuts("county")
out["indicators_ms"], _ = timed(lambda: [Reader(sh).live(i, period, cuts) for i in ALL_SETTLEMENT_INDICATORS], repeat=3)
out["penalties_ms"], p = timed(lambda: queries.penalties(YEAR - 1), repeat=1)
out["penalty_cases"] = len(p["cases"])
centre = max(Institution.objects.filter(tier="township"), key=lambda c: c.children.count())
month = dt.date(2026, 10, 1)
out["workpoints_ms"], w = timed(lambda: workpoints.compute(centre.pk, month), repeat=3)
out["workpoint_staff"] = len(w)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.finance_settlement")
    parser.add_argument("--scale", default="10k", help="residents: 10k | 100k | 1m, or a number")
    parser.add_argument("--lines", type=int, default=5_000, help="settlement lines to import")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    residents = count(args.scale)
    site = Site(residents, postgres=args.postgres, seed=args.seed)
    try:
        out = json.loads(site.python(CODE % {"lines": args.lines, "seed": args.seed}).strip().splitlines()[-1])
    finally:
        site.close()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {residents} residents ("
          f"{site.loaded}), {out['members']} institutions")
    print(f"  import {out['lines']} settlement lines: {out['import_s']:.1f} s "
          f"({out['lines'] / max(out['import_s'], 0.001):.0f} lines/s, {out['created']} created, {out['failed']} failed)")
    print(f"  the same file again: {out['reimport_s']:.1f} s ({out['unchanged']} unchanged)")
    print(f"  budget-year overview: {out['overview_ms']:.1f} ms (in-county share {out['in_county_share']} %)")
    print(f"  year-end result by tier and member: {out['year_end_ms']:.1f} ms ({out['year_end']})")
    print(f"  four settlement indicators, county: {out['indicators_ms']:.1f} ms")
    print(f"  penalties of a year: {out['penalties_ms']:.1f} ms ({out['penalty_cases']} cases)")
    print(f"  one month's work points, largest centre: {out['workpoints_ms']:.1f} ms ({out['workpoint_staff']} staff)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
