"""Specialist sessions and slots at a county's volume.

    python -m bench.experts_slots --scale 10k [--weeks 26] [--postgres postgres://…]

On a throwaway site loaded with `yigongti demo --residents N` (bench/_site.py), adds seed 000's timetable at
every township centre and generates ``--weeks`` weeks of sessions with their slots through the actions
(generate_sessions), fills past sessions with bookings (benchmark data: straight inserts), then prints the time
of: the open-sessions list with free counts (the /api/v1/slots/ query), one session's booking list, booking a
slot (the action: checks, row locks, constraint), booking the last slot of a session by two bookers in turn,
and the outreach figures of every township for a year. A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json

from bench._site import Site, count

CODE = r"""
import django, json, random, statistics, time, datetime as dt; django.setup()
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from yigongti.experts import actions, queries
from yigongti.experts.api import _free
from yigongti.experts.demo import TIMETABLE
from yigongti.experts.models import Booking, Session, Slot
from yigongti.org.models import Institution, Role, User
from yigongti.people.models import Resident

WEEKS, SEED = %(weeks)d, %(seed)d
rng = random.Random(SEED)
hospital = Institution.objects.filter(tier="county", is_lead=True).first()
doctors = list(User.objects.filter(memberships__institution=hospital, memberships__roles__role=Role.COUNTY_SPECIALIST).distinct())
centres = list(Institution.objects.filter(tier="township"))
today = timezone.localdate()
t = time.perf_counter()
with transaction.atomic():
    for n, centre in enumerate(centres):
        for row, (clinic, days) in enumerate(TIMETABLE):
            for weekday, specialty in enumerate(days):
                if specialty:
                    for half in ("am", "pm"):
                        actions.add_timetable_entry(None, institution=centre, clinic=clinic, weekday=weekday,
                                                    half_day=half, specialty=specialty,
                                                    specialist=doctors[(n + row + weekday) %% len(doctors)],
                                                    home_institution=hospital, capacity=20, reserved=5,
                                                    valid_from=today - dt.timedelta(weeks=WEEKS))
        actions.generate_sessions(None, centre, today - dt.timedelta(weeks=WEEKS - 2), today + dt.timedelta(weeks=2))
out = {"sessions": Session.objects.count(), "slots": Slot.objects.count(), "generate_s": time.perf_counter() - t}
residents = list(Resident.objects.filter(status="active").values_list("pk", flat=True)[:20000])
rows = []
for s in Session.objects.filter(date__lt=today).prefetch_related("slots"):
    for slot in s.slots.all():
        if rng.random() < 0.7:
            rows.append(Booking(slot=slot, session=s, resident_id=residents[rng.randrange(len(residents))],
                                status=rng.choice(["attended"] * 8 + ["no_show", "cancelled"]), source="desk"))
seen, unique = set(), []
for b in rows:
    if (b.session_id, b.resident_id) not in seen:
        seen.add((b.session_id, b.resident_id)); unique.append(b)
t = time.perf_counter()
with transaction.atomic():
    Booking.objects.bulk_create(unique, batch_size=2000)
out.update(bookings=len(unique), insert_s=time.perf_counter() - t)
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")

def timed(fn, repeat=5):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter(); result = fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result

centre = centres[0]
open_qs = lambda: list(_free(Session.objects.filter(status="open", starts_at__gte=timezone.now(), institution=centre)).order_by("starts_at")[:50])
out["open_ms"], _ = timed(open_qs)
office = User.objects.get(username="demo-office")
past = Session.objects.filter(institution=centre, date__lt=today).order_by("-date").first()
out["session_ms"], _ = timed(lambda: list(queries.bookings_of_session(office, past)))
desk = User.objects.get(username="demo-township")
mine = desk.memberships.first().institution
future = list(Session.objects.filter(institution=mine, starts_at__gt=timezone.now() + dt.timedelta(days=2)).order_by("starts_at")[:5])
patients = list(Resident.objects.filter(status="active", area__in=mine.service_areas.all()).values_list("pk", flat=True)[:200])
patients = patients or residents[:200]  # a small county's centre may serve no area of its own: any residents
books, refused = [], 0
for i, pk in enumerate(patients[:60] if future else []):
    t = time.perf_counter()
    try:
        with transaction.atomic():
            actions.book_slot(desk, future[i %% len(future)], Resident.objects.get(pk=pk))
    except ValidationError:
        refused += 1
    books.append((time.perf_counter() - t) * 1000)
out.update(book_ms=statistics.median(books) if books else None, books=len(books), refused=refused)
start = dt.date(today.year - 1, 1, 1)
out["outreach_ms"], _ = timed(lambda: [queries.outreach_figures(institution_id=c.pk, start=start, end=today) for c in centres], repeat=3)
out["centres"] = len(centres)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.experts_slots")
    parser.add_argument("--scale", default="10k", help="residents: 10k | 100k | 1m, or a number")
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL (a throwaway database is made)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    residents = count(args.scale)
    site = Site(residents, postgres=args.postgres, seed=args.seed)
    try:
        out = json.loads(site.python(CODE % {"weeks": args.weeks, "seed": args.seed}).strip().splitlines()[-1])
    finally:
        site.close()
    print(f"{'PostgreSQL' if args.postgres else 'SQLite'}, {residents} residents ("
          f"{site.loaded}); {out['sessions']} sessions with {out['slots']} slots generated in "
          f"{out['generate_s']:.1f} s; {out['bookings']} past bookings inserted in {out['insert_s']:.1f} s")
    print(f"  open sessions of a centre with free counts (/api/v1/slots/): {out['open_ms']:.1f} ms")
    print(f"  one session's booking list: {out['session_ms']:.1f} ms")
    if out["book_ms"] is None:
        print("  book a slot (action): no open future session to book into at this scale")
    else:
        print(f"  book a slot (action): median {out['book_ms']:.1f} ms over {out['books']}, {out['refused']} refused "
              f"(full general part / reserved part)")
    print(f"  outreach figures of {out['centres']} centres for the year: {out['outreach_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
