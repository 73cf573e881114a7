"""The receiving desk and the referral figures at a county's volume.

    python -m bench.referrals_desk --scale 10k [--referrals 50000] [--postgres postgres://…]

On a throwaway site loaded with `yigongti demo --residents N` (bench/_site.py; the demo's own referral part
runs through the actions), bulk-inserts ``--referrals`` more referrals spread over two years in every state
(benchmark data: straight inserts, no actions; default 5k / 20k / 100k for 10k / 100k / 1m residents — a busy
county writes 10–30k a year), then prints the time of: the county desk's first list page, a lookup by number
(typed or scanned), one referral's page read (audited), accepting with a reserved bed (the action, with its
conditional UPDATE), and all eight referral figures for the county and every institution for last year (the
catalog's live values, counted from the rows at query time). A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json

from bench._site import Site, count

REFERRALS = {"10k": 5_000, "100k": 20_000, "1m": 100_000}

CODE = r"""
import django, json, random, statistics, time, datetime as dt; django.setup()
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader
from yigongti.kpi.structure import shape
from yigongti.org.models import Institution, ReservedBed, User
from yigongti.people.models import Resident
from yigongti.referrals import actions, queries
from yigongti.referrals.models import Referral
from yigongti.rules.indicators import parse_period

N, SEED = %(referrals)d, %(seed)d
rng = random.Random(SEED)
hospital = Institution.objects.filter(tier="county", is_lead=True).first()
primary = list(Institution.objects.filter(tier__in=["township", "village"]))
residents = list(Resident.objects.values_list("pk", flat=True)[:20000])
now = timezone.now()
states = ["completed"] * 6 + ["received", "rejected", "cancelled", "accepted", "submitted"]
rows = []
for i in range(N):
    up = rng.random() < 0.8
    other = primary[rng.randrange(len(primary))]
    frm, to = (other, hospital) if up else (hospital, other)
    sent = now - dt.timedelta(days=rng.randrange(1, 730), hours=rng.randrange(24))
    state = states[rng.randrange(len(states))]
    accepted = sent + dt.timedelta(hours=rng.randrange(1, 48)) if state not in ("submitted", "rejected", "cancelled") else None
    received = accepted + dt.timedelta(hours=rng.randrange(1, 24)) if accepted and state != "accepted" else None
    day = timezone.localtime(sent).date()
    rows.append(Referral(
        number=f"B{frm.code}{sent.year}{i:07d}", direction="up" if up else "down", reason="difficult", status=state,
        resident_id=residents[rng.randrange(len(residents))], insurance_scheme="resident", from_institution=frm,
        to_institution=to, primary_diagnosis="I63.900", consent=True, consent_by="本人",
        questionable=rng.random() < 0.05, valid_from=day, valid_until=day + dt.timedelta(days=3), submitted_at=sent,
        accepted_at=accepted, received_at=received,
        completed_at=received + dt.timedelta(days=5) if state == "completed" else None,
        closed_at=sent + dt.timedelta(hours=3) if state in ("rejected", "cancelled") else None))
t = time.perf_counter()
with transaction.atomic():
    Referral.objects.bulk_create(rows, batch_size=2000)
out = {"inserted": N, "insert_s": time.perf_counter() - t, "total": Referral.objects.count()}
from django.db import connection
with connection.cursor() as cursor:  # what autovacuum / SQLite's optimize would have done by morning
    cursor.execute("ANALYZE")

def timed(fn, repeat=5):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter(); result = fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result

desk = User.objects.get(username="demo-specialist")
out["incoming"] = queries.search(desk, box="in").count()
out["list_ms"], _ = timed(lambda: list(queries.search(desk, box="in")[:25]))
number = Referral.objects.order_by("-pk").values_list("number", flat=True)[0]
out["find_ms"], found = timed(lambda: queries.find_by_number(desk, " " + number.lower() + " "))
out["read_ms"], _ = timed(lambda: queries.get_referral_for(desk, found.pk))
ReservedBed.objects.filter(institution=hospital).update(holder_label="", holder_ref="", hold_until=None)
for r in list(Referral.objects.filter(to_institution=hospital, status="submitted", valid_until__gte=timezone.localdate())[:20]):
    Referral.objects.filter(pk=r.pk).delete()
fresh = []
patients = list(Resident.objects.filter(status="active").values_list("pk", flat=True)[:12])
sender = User.objects.get(username="demo-township")
centre = sender.memberships.first().institution
for pk in patients:
    with transaction.atomic():
        r = actions.create_referral(sender, from_institution=centre, to_institution=hospital,
                                    resident=Resident.objects.get(pk=pk), reason="difficult",
                                    primary_diagnosis="I63.900", condition_summary="bench", consent=True,
                                    consent_by="本人")
        fresh.append(actions.submit_referral(sender, r))
accepts, refused = [], 0
for r in fresh:
    t = time.perf_counter()
    try:
        with transaction.atomic():
            actions.accept_referral(desk, r, reserve_bed=True)
    except ValidationError:
        refused += 1
    accepts.append((time.perf_counter() - t) * 1000)
out.update(accept_ms=statistics.median(accepts), accepts=len(accepts), refused=refused,
           beds=ReservedBed.objects.filter(institution=hospital, active=True).count())
sh = shape()
year = parse_period(str(timezone.localdate().year - 1))
codes = [i for i in catalog.computable() if i.code.startswith("referrals.")]
cuts = [c for level in ("county", "institution") for c in sh.cuts(level)]
out["figures"], out["cuts"] = len(codes), len(cuts)
def figures(wanted):
    fresh = shape()  # a new request: nothing memoised yet
    return [Reader(fresh).live(i, year, wanted) for i in codes]

out["figures_ms"], _ = timed(lambda: figures(cuts), repeat=3)
out["county_ms"], _ = timed(lambda: figures(cuts[:1]), repeat=3)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.referrals_desk")
    parser.add_argument("--scale", default="10k", help="residents: 10k | 100k | 1m, or a number")
    parser.add_argument("--referrals", type=int, default=None)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    residents = count(args.scale)
    referrals = args.referrals or REFERRALS.get(args.scale, 20_000)
    site = Site(residents, postgres=args.postgres, seed=args.seed)
    try:
        out = json.loads(site.python(CODE % {"referrals": referrals, "seed": args.seed}).strip().splitlines()[-1])
    finally:
        site.close()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {residents} residents ("
          f"{site.loaded}) + {out['inserted']} referrals inserted in {out['insert_s']:.1f} s "
          f"({out['total']} in all)")
    print(f"  desk list, first page of {out['incoming']} incoming: {out['list_ms']:.1f} ms")
    print(f"  find by number (typed or scanned): {out['find_ms']:.1f} ms")
    print(f"  one referral's page read (audited): {out['read_ms']:.1f} ms")
    print(f"  accept with a reserved bed (action): median {out['accept_ms']:.1f} ms over {out['accepts']}, "
          f"{out['refused']} refused once the {out['beds']} beds were held")
    print(f"  {out['figures']} referral figures for the county: {out['county_ms']:.0f} ms; "
          f"× {out['cuts']} cuts (county + every institution): {out['figures_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
