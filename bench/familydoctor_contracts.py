"""The family-doctor pages and rates at a county's volume.

    python -m bench.familydoctor_contracts --scale 10k [--postgres postgres://…]

On a throwaway site loaded with `yigongti demo --residents N` (bench/_site.py; the family-doctor part's bulk path
makes a team per village clinic and contracts for about 85% of key populations and 35% of the others), prints
the time of: the team list page, the largest team's page (members, up to 500 contracts with their fulfilment,
the rates of the team, the key-population residents not yet signed), one contract's page (audited), the API's
first page of the team's contracts, signing one resident (the action), and the family-doctor rates of the
catalog (签约率, 重点人群签约率, 履约率) for the county and every township this year. A printed figure, not a
timed test.
"""
from __future__ import annotations

import argparse
import json

from bench._site import Site, count

CODE = r"""
import django, json, statistics, time, datetime as dt; django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
# pages render here without collectstatic: plain static URLs instead of the manifest
settings.STORAGES = {**settings.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from yigongti.familydoctor import actions
from yigongti.familydoctor.models import Contract, Package, Team
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader
from yigongti.kpi.structure import shape
from yigongti.people.models import Resident
from yigongti.rules.indicators import parse_period

with connection.cursor() as cursor:
    cursor.execute("ANALYZE")

def timed(fn, repeat=5):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter(); result = fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result

out = {"teams": Team.objects.count(), "contracts": Contract.objects.count(), "residents": Resident.objects.count()}
team = Team.objects.annotate(n=Count("contracts")).order_by("-n").first()
out["team_contracts"] = team.n
leader = team.leader
type(leader).objects.filter(pk=leader.pk).update(must_change_password=False)  # a throwaway site's demo account
leader.refresh_from_db()
client = Client()
client.force_login(leader)
def get(url):
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.get("Location"))
    return r
out["list_ms"], _ = timed(lambda: get("/familydoctor/"))
out["team_ms"], _ = timed(lambda: get(f"/familydoctor/teams/{team.pk}/"))
c = Contract.objects.filter(team=team, status="active").order_by("pk").first()
out["contract_ms"], _ = timed(lambda: get(f"/familydoctor/contracts/{c.pk}/"))
token = Token.objects.get_or_create(user=leader)[0].key
api = Client(HTTP_AUTHORIZATION=f"Token {token}")
def api_page():
    r = api.get(f"/api/v1/contracts/?team={team.pk}&status=active")
    assert r.status_code == 200, r.status_code
    return r
out["api_ms"], _ = timed(api_page)
basic = Package.objects.get(code="basic")
areas = list(team.areas.values_list("pk", flat=True))
free = list(Resident.objects.filter(area_id__in=areas, status="active").exclude(
    pk__in=Contract.objects.filter(status="active").values("resident_id")).order_by("pk")[:5])
signs = []
for r in free:
    t = time.perf_counter()
    with transaction.atomic():
        actions.sign_contract(leader, resident=r, team=team, doctor=leader, packages=[basic], consent_by="本人")
    signs.append((time.perf_counter() - t) * 1000)
out["sign_ms"], out["signs"] = (statistics.median(signs) if signs else 0), len(signs)
period = parse_period(str(timezone.localdate().year))
codes = [i for i in catalog.computable() if i.code in ("familydoctor.contract_rate", "familydoctor.key_contract_rate",
                                                         "familydoctor.fulfilment_rate")]
sh = shape()
cuts = [cut for level in ("county", "township") for cut in sh.cuts(level)]
out["cuts"] = len(cuts)
def figures(wanted):
    fresh = shape()
    return {i.code: {k: str(v.value) for k, v in Reader(fresh).live(i, period, wanted).items()} for i in codes}
out["rates_ms"], values = timed(lambda: figures(cuts), repeat=3)
out["county"] = {code: v["county"] for code, v in values.items()}
out["each_ms"] = {}
for i in codes:
    out["each_ms"][i.code], _ = timed(lambda i=i: Reader(shape()).live(i, period, cuts), repeat=3)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.familydoctor_contracts")
    parser.add_argument("--scale", default="10k", help="residents: 10k | 100k | 1m, or a number")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    residents = count(args.scale)
    site = Site(residents, postgres=args.postgres, seed=args.seed)
    try:
        out = json.loads(site.python(CODE).strip().splitlines()[-1])
    finally:
        site.close()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {out['residents']} residents ("
          f"{site.loaded}): {out['teams']} teams, {out['contracts']} contracts")
    print(f"  team list page: {out['list_ms']:.1f} ms")
    print(f"  largest team's page ({out['team_contracts']} contracts, fulfilment of up to 500): {out['team_ms']:.1f} ms")
    print(f"  one contract's page (fulfilment, audited read): {out['contract_ms']:.1f} ms")
    print(f"  API first page of the team's active contracts: {out['api_ms']:.1f} ms")
    print(f"  sign one resident (action): median {out['sign_ms']:.1f} ms over {out['signs']}")
    each = ", ".join(f"{code.split('.')[1]} {ms:.0f} ms" for code, ms in out["each_ms"].items())
    print(f"  rates × {out['cuts']} cuts (county + townships): {out['rates_ms']:.0f} ms in all ({each})")
    print(f"  county values: {out['county']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
