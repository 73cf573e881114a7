"""The family-doctor part of the demo county (demo/registry.py, order 60: after the residents, their exams
and encounters, and the chronic programmes' follow-ups, which the fulfilment then counts).

Like the 27 teams of the Xiangtang centre in seed 000, every township centre gets one team per village
clinic it runs (1+1+N: a township GP leads, the clinic's village doctor, a county specialist in rotation);
contracts through the real actions for a realistic share of each village: about 85% of people aged 65+ and
of programme members, about 35% of the others, started over the past year. The bulk path (``--residents N``)
makes the teams through the actions and inserts the same shares of contracts for every village in chunks
(benchmarks; no audit rows). A resident is signed once even when two clinics serve their village.
Deterministic for a seed."""
from __future__ import annotations

import datetime as dt

from yigongti.demo.registry import DemoContext, DemoPart

PER_VILLAGE = {"tiny": 12, "demo": 120}


def _first_user(institution, *roles):
    from yigongti.org.models import User

    return (User.objects.filter(memberships__institution=institution, memberships__roles__role__in=roles,
                                is_active=True).order_by("pk").distinct().first())


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Institution, Role
    from yigongti.people import keypops
    from yigongti.people.models import Resident

    from . import actions
    from .defaults import ensure_default_packages
    from .models import Package

    ensure_default_packages()
    rng = ctx.rng("familydoctor")
    basic = Package.objects.get(code="basic")
    personal = {p.code: p for p in Package.objects.filter(kind="personal")}
    specialists = list(Institution.objects.filter(tier="county", kind="general_hospital"))
    county_docs = [u for inst in specialists for u in [_first_user(inst, Role.COUNTY_SPECIALIST)] if u]
    programme_members = set()
    for prog in keypops.programmes():
        if not prog.sensitive:
            programme_members |= set(prog.members().values_list("resident_id", flat=True))
    limit = PER_VILLAGE.get(ctx.scale, PER_VILLAGE["demo"])
    teams = contracts = 0
    already_signed: set[int] = set()  # a village may be served by more than one clinic: one contract per resident
    for n_centre, centre in enumerate(Institution.objects.filter(tier="township", active=True).order_by("code")):
        gp = _first_user(centre, Role.TOWNSHIP_DOCTOR, Role.TEAM_LEADER)
        if gp is None:
            continue
        for n, clinic in enumerate(Institution.objects.filter(parent=centre, tier="village", active=True)
                                   .order_by("code")):
            villages = list(clinic.service_areas.all())
            team = actions.create_team(None, institution=centre, name=f"{centre.name[:4]}{n + 1}团队", leader=gp,
                                       areas=villages)
            teams += 1
            vd = _first_user(clinic, Role.VILLAGE_DOCTOR)
            if vd is not None and vd != gp:
                actions.add_member(None, team, user=vd, institution=clinic, role="village_doctor")
            if county_docs:
                doc = county_docs[(n_centre + n) % len(county_docs)]
                if doc != gp and doc.memberships.exists():
                    actions.add_member(None, team, user=doc, institution=doc.memberships.first().institution,
                                       role="county_specialist")
            older = keypops.derived_q(keypops.OLDER_65, ctx.today)
            residents = list(Resident.objects.filter(area__in=villages, status="active").order_by("pk")[:limit * 3])
            older_ids = set(Resident.objects.filter(older, pk__in=[r.pk for r in residents]).values_list("pk", flat=True))
            signed = 0
            for r in residents:
                if r.pk in already_signed:
                    continue
                key = r.pk in older_ids or r.pk in programme_members
                if rng.random() > (0.85 if key else 0.35) or signed >= limit:
                    continue
                packages = [basic]
                if r.pk in programme_members and rng.random() < 0.3 and "hypertension" in personal:
                    packages.append(personal["hypertension"])
                if r.pk in older_ids and rng.random() < 0.2 and "older" in personal:
                    packages.append(personal["older"])
                start = ctx.today - dt.timedelta(days=rng.randint(5, 330))
                doctor = vd if vd is not None and rng.random() < 0.7 else gp
                actions.sign_contract(None, resident=r, team=team, doctor=doctor, packages=packages,
                                      institution=centre, start_date=start, consent_by=r.name,
                                      signature=rng.choice(["paper", "electronic"]))
                already_signed.add(r.pk)
                signed += 1
            contracts += signed
    ctx.log(f"familydoctor: {teams} teams, {contracts} contracts")


def bulk(ctx: DemoContext) -> None:
    """Teams through the actions; contracts for the same shares of every village's residents, bulk-inserted."""
    from django.db import transaction

    from yigongti.org.models import Institution, Role
    from yigongti.people import keypops
    from yigongti.people.models import Resident

    from . import actions
    from .defaults import ensure_default_packages
    from .models import Contract, Package

    with transaction.atomic():
        ensure_default_packages()
    rng = ctx.rng("familydoctor.bulk")
    basic = Package.objects.get(code="basic")
    personal = {p.code: p for p in Package.objects.filter(kind="personal")}
    fees = {(): actions.fee_split([basic])}
    specialists = list(Institution.objects.filter(tier="county", kind="general_hospital"))
    county_docs = [u for inst in specialists for u in [_first_user(inst, Role.COUNTY_SPECIALIST)] if u]
    programme_members = set()
    for prog in keypops.programmes():
        if not prog.sensitive:
            programme_members |= set(prog.members().values_list("resident_id", flat=True))
    older_born_by = keypops._years_before(ctx.today, 65)
    through = Contract.packages.through
    teams = contracts = 0
    already_signed: set[int] = set()
    for n_centre, centre in enumerate(Institution.objects.filter(tier="township", active=True).order_by("code")):
        gp = _first_user(centre, Role.TOWNSHIP_DOCTOR, Role.TEAM_LEADER)
        if gp is None:
            continue
        for n, clinic in enumerate(Institution.objects.filter(parent=centre, tier="village", active=True)
                                   .order_by("code")):
            villages = list(clinic.service_areas.all())
            with transaction.atomic():
                team = actions.create_team(None, institution=centre, name=f"{centre.name[:4]}{n + 1}团队",
                                           leader=gp, areas=villages)
                vd = _first_user(clinic, Role.VILLAGE_DOCTOR)
                if vd is not None and vd != gp:
                    actions.add_member(None, team, user=vd, institution=clinic, role="village_doctor")
                if county_docs:
                    doc = county_docs[(n_centre + n) % len(county_docs)]
                    if doc != gp and doc.memberships.exists():
                        actions.add_member(None, team, user=doc, institution=doc.memberships.first().institution,
                                           role="county_specialist")
            teams += 1
            rows, extra = [], []
            for rid, name, born in (Resident.objects.filter(area__in=villages, status="active").order_by("pk")
                                    .values_list("pk", "name", "birth_date").iterator(chunk_size=5000)):
                if rid in already_signed:
                    continue
                key = rid in programme_members or born <= older_born_by
                if rng.random() > (0.85 if key else 0.35):
                    continue
                chosen = ()
                if rid in programme_members and rng.random() < 0.3 and "hypertension" in personal:
                    chosen = ("hypertension",)
                elif born <= older_born_by and rng.random() < 0.2 and "older" in personal:
                    chosen = ("older",)
                if chosen not in fees:
                    fees[chosen] = actions.fee_split([basic, *[personal[c] for c in chosen]])
                f = fees[chosen]
                start = ctx.today - dt.timedelta(days=rng.randint(5, 330))
                doctor = vd if vd is not None and rng.random() < 0.7 else gp
                rows.append(Contract(resident_id=rid, team=team, doctor=doctor, institution=centre, start_date=start,
                                     end_date=actions.default_end(start), consent_by=name,
                                     signature="electronic" if rng.random() < 0.4 else "paper",
                                     fee_total=f["total"], fee_insurance=f["insurance"],
                                     fee_public_health=f["public_health"], fee_resident=f["resident"]))
                extra.append(chosen)
                already_signed.add(rid)
            for start in range(0, len(rows), 5000):
                with transaction.atomic():
                    made = Contract.objects.bulk_create(rows[start:start + 5000], batch_size=1000)
                    links = []
                    for c, chosen in zip(made, extra[start:start + 5000], strict=True):
                        links.append(through(contract_id=c.pk, package_id=basic.pk))
                        links.extend(through(contract_id=c.pk, package_id=personal[code].pk) for code in chosen)
                    through.objects.bulk_create(links, batch_size=5000)
            contracts += len(rows)
    ctx.log(f"familydoctor: {teams} teams, {contracts} contracts (bulk)")


PARTS = [DemoPart(name="familydoctor.contracts", order=60, build=build, bulk=bulk)]
