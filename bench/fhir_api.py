"""The FHIR interface on a county: search, read, a HIS pushing transactions, and a bulk export.

    python -m bench.fhir_api --scale 10k      (10k | 100k | 1m residents)

Builds a fresh database (SQLite file under var/ unless --database-url / DATABASE_URL names another), loads a
county with `yigongti demo --residents N`, then, in process through Django's test client with a token (the
full request path: authentication, scoping, audit middleware, mapping, JSON), prints:

- Patient?identifier=<citizen ID> and Patient/<id> (audited read): p50 / p95 ms, by the consortium office
  (whole county scope) and a village doctor (one village);
- Observation?patient=<id> (exam, encounter and measurement streams merged) and Observation?code=85354-9
  over the whole county (first page: the merge reads _count rows per stream);
- transaction Bundles (a Patient and its blood pressure, one durable transaction, screening event): per
  second;
- $export of the county's Patients and Encounters as a job: seconds and resources per second.
A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import json
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
        path = ROOT / "var" / f"bench-fhir-{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yigongti.settings")
    os.environ.setdefault("YIGONGTI_KEY_DIR", str(ROOT / "var" / "bench-keys"))
    os.environ.setdefault("YIGONGTI_VAR_DIR", str(ROOT / "var"))
    if not os.environ.get("YIGONGTI_SECRET_KEY") and not (ROOT / "var" / "secret_key").exists():
        os.environ["YIGONGTI_SECRET_KEY"] = "bench-only-secret-key-" + "x" * 40
    import django

    django.setup()
    return os.environ["DATABASE_URL"]


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return f"p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  (n={len(times)})"


def _timed(fn, n: int) -> list[float]:
    found = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        found.append((time.perf_counter() - started) * 1000)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fhir_api")
    parser.add_argument("--scale", default="10k", help="10k | 100k | 1m, or a number of residents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=40)
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
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from yigongti.org import actions as org_actions
    from yigongti.org.models import Institution, Role
    from yigongti.people import crypto
    from yigongti.people.models import Resident

    if site is not None:
        loaded = site.loaded
    else:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("init-local", stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("demo", residents=residents_at(args.scale), seed=args.seed, stdout=open(os.devnull, "w"))  # noqa: SIM115
        loaded = f"demo loaded in {time.perf_counter() - started:.1f} s"
    rng = random.Random(args.seed)

    lead = Institution.objects.filter(tier="county").order_by("pk").first()
    clinic = (Institution.objects.filter(kind="village_clinic", service_areas__isnull=False).order_by("pk").first())
    office = org_actions.create_staff(None, institution=lead, username="bench-fhir-office", full_name="基准办公室",
                                      password="Bench-pass-2026", roles=[Role.CONSORTIUM_OFFICE], validate=False)
    doctor = org_actions.create_staff(None, institution=clinic, username="bench-fhir-doctor", full_name="基准村医",
                                      password="Bench-pass-2026", roles=[Role.VILLAGE_DOCTOR], validate=False)
    village = clinic.service_areas.order_by("pk").first()

    def client_for(user) -> Client:
        return Client(HTTP_HOST="localhost",
                      HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")

    as_office, as_doctor = client_for(office), client_for(doctor)
    sample = list(Resident.objects.exclude(document_index="").order_by("?")[:args.runs]
                  .values_list("pk", "document_number_enc"))
    if not sample:
        print("bench.fhir_api: no residents with documents; nothing to measure")
        return 0
    numbers = [(pk, crypto.decrypt(enc)) for pk, enc in sample]
    local = list(Resident.objects.filter(area=village).values_list("pk", flat=True)[:args.runs]) or [sample[0][0]]

    def ok(response, status=200):
        if response.status_code != status:
            raise SystemExit(f"bench.fhir_api: {response.status_code} {response.content[:300]!r}")
        return response

    print(f"scale {args.scale}: {Resident.objects.count():,} residents ({loaded}), "
          f"database {url.split(':', 1)[0]}")
    ok(as_office.get("/fhir/metadata"))
    t = _timed(lambda i: ok(as_office.get("/fhir/Patient", {"identifier": numbers[i % len(numbers)][1]})), args.runs)
    print(f"Patient?identifier= (county scope)      : {_percentiles(t)}")
    t = _timed(lambda i: ok(as_office.get(f"/fhir/Patient/{numbers[i % len(numbers)][0]}")), args.runs)
    print(f"Patient/<id> read, audited               : {_percentiles(t)}")
    t = _timed(lambda i: ok(as_doctor.get("/fhir/Patient", {"name": "l", "_count": 20})), args.runs)
    print(f"Patient?name=l (village doctor's scope)  : {_percentiles(t)}")
    t = _timed(lambda i: ok(as_doctor.get("/fhir/Observation", {"patient": local[i % len(local)]})), args.runs)
    print(f"Observation?patient= (3 sources merged)  : {_percentiles(t)}")
    t = _timed(lambda i: ok(as_office.get("/fhir/Observation", {"code": "85354-9", "_count": 20})),
               max(3, args.runs // 8))
    print(f"Observation?code=85354-9 (whole county)  : {_percentiles(t)}")
    t = _timed(lambda i: ok(as_office.get("/fhir/Encounter", {"patient": numbers[i % len(numbers)][0]})), args.runs)
    print(f"Encounter?patient=                       : {_percentiles(t)}")

    from yigongti.rules import idcard

    def bundle(i):
        born = f"{1940 + rng.randrange(50)}-0{1 + rng.randrange(9)}-1{rng.randrange(10)}"
        import datetime as dt

        number = idcard.synthetic_id(rng, dt.date.fromisoformat(born), "1", address_code="360199")
        base = "https://fhir.yigongti.local"
        return {"resourceType": "Bundle", "type": "transaction", "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}", "request": {"method": "POST", "url": "Patient"},
             "resource": {"resourceType": "Patient", "name": [{"text": f"基准{i}号"}], "gender": "male",
                          "birthDate": born,
                          "identifier": [{"system": f"{base}/sid/cn-citizen-id", "value": number}],
                          "address": [{"extension": [{"url": f"{base}/StructureDefinition/area-code",
                                                      "valueCode": village.code}]}]}},
            {"request": {"method": "POST", "url": "Observation"}, "resource": {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                "subject": {"reference": f"urn:uuid:00000000-0000-4000-8000-{i:012d}"},
                "effectiveDateTime": "2026-11-20T09:00:00+08:00",
                "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                               "valueQuantity": {"value": 150, "code": "mm[Hg]"}},
                              {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                               "valueQuantity": {"value": 95, "code": "mm[Hg]"}}]}}]}

    pushes = max(10, args.runs // 2)
    bodies = [bundle(i) for i in range(pushes)]
    failed = 0

    def push(i):
        nonlocal failed
        response = as_doctor.post("/fhir/", json.dumps(bodies[i]), content_type="application/fhir+json")
        failed += response.status_code != 200

    t = _timed(push, pushes)
    print(f"transaction Patient + BP (push)          : {_percentiles(t)}; {1000 / statistics.mean(t):.1f} bundles/s"
          f"{f'; {failed} refused (duplicates)' if failed else ''}")

    from yigongti.audit.exports import decide_export
    from yigongti.audit.models import ExportApproval
    from yigongti.jobs.queue import run_pending

    # Export control (issue 16): a purpose, and above the row threshold a security administrator's approval;
    # the first run stops at the approval request, the second (naming the approval) writes the files.
    query = {"_type": "Patient,Encounter", "purpose": "benchmark: bulk export throughput"}
    kick = ok(as_office.get("/fhir/$export", query), 202)
    started = time.perf_counter()
    run_pending()
    took = time.perf_counter() - started
    status = as_office.get(kick["Content-Location"])  # 403 naming the approval when above the threshold
    pending = ExportApproval.objects.filter(requested_by=office, status=ExportApproval.Status.PENDING).first()
    if pending is not None:
        approver = org_actions.create_staff(None, institution=lead, username="bench-security",
                                            full_name="基准安全管理员", password="Bench-pass-2026",
                                            roles=[Role.SECURITY_ADMIN], validate=False)
        decide_export(approver, pending, approve=True)
        kick = ok(as_office.get("/fhir/$export", {**query, "approval": pending.pk}), 202)
        started = time.perf_counter()
        run_pending()
        took = time.perf_counter() - started
        status = as_office.get(kick["Content-Location"])
    manifest = json.loads(ok(status).content)
    count = sum(o["count"] for o in manifest["output"])
    print(f"$export Patient,Encounter (county)       : {took:7.1f} s for {count:,} resources "
          f"({count / max(took, 1e-9):,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
