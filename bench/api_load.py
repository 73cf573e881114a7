"""API throughput and latency (p50, p99) of representative endpoints under a loopback load generator
(locust, headless, bounded in time) against `yigongti serve` (gunicorn), next to a bare Django JSON view
served by the same server (/healthz: one `SELECT 1`), on a county loaded with `yigongti demo --residents N`.

    python -m bench.api_load --scale 10k [--seconds 8] [--users 8] [--workers 2]

Every endpoint runs alone for the same time with the same number of concurrent users, so the figures
compare. Endpoints that an app has not built yet are skipped (the bench reads the API root and schema).
A printed figure, not a timed test.
"""
from __future__ import annotations

import argparse
import csv
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench._site import Site, count

HERE = Path(__file__).resolve().parent

PREPARE = r"""
import django, json; django.setup()
from rest_framework.authtoken.models import Token
from yigongti.org.models import User
from yigongti.people.models import Resident
from yigongti.people.queries import visible_residents
office = User.objects.get(username="demo-office")
village = User.objects.get(username="demo-village-a")
mine = visible_residents(village).order_by("pk").values_list("pk", "name_initials")[:1].get()
print(json.dumps({"office": Token.objects.get_or_create(user=office)[0].key,
                  "village": Token.objects.get_or_create(user=village)[0].key,
                  "resident": mine[0], "initials": mine[1][:2] or "z"}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _endpoints(info: dict) -> list[tuple[str, str, str]]:
    """(label, path, token kind) — the bare view first, as the baseline."""
    r, q = info["resident"], info["initials"]
    return [
        ("bare Django JSON view (/healthz)", "/healthz", ""),
        ("API root", "/api/v1/", "office"),
        ("residents search (village doctor)", f"/api/v1/residents/?q={q}", "village"),
        ("resident record (village doctor)", f"/api/v1/residents/{r}/", "village"),
        ("residents list (consortium office)", "/api/v1/residents/", "office"),
        ("indicator catalog", "/api/v1/indicators/", "office"),
        ("inbox", "/api/v1/tasks/", "village"),
        ("follow-ups due (village doctor)", "/api/v1/followups/due/", "village"),
        ("contracts (village doctor)", "/api/v1/contracts/", "village"),
        ("referrals (village doctor)", "/api/v1/referrals/", "village"),
        ("FHIR Patient search", f"/fhir/Patient?_count=20&name={q}", "village"),
    ]


def _status(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Token {token}"} if token else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _locust(base: str, path: str, token: str, name: str, seconds: int, users: int, out: Path) -> dict:
    env = {**__import__("os").environ, "BENCH_PATH": path, "BENCH_TOKEN": token, "BENCH_NAME": name}
    prefix = out / "run"
    subprocess.run([str(Path(sys.executable).with_name("locust")), "-f", str(HERE / "_locustfile.py"),
                    "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
                    "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"],
                   env=env, capture_output=True, text=True, check=False, timeout=seconds + 60)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == name:
                return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                        "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p99": float(row["99%"])}
    return {"requests": 0, "failures": 0, "rps": 0.0, "p50": 0.0, "p99": 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_load")
    parser.add_argument("--scale", default="10k")
    parser.add_argument("--seconds", type=int, default=8, help="load per endpoint")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server to bench on instead")
    args, _ = parser.parse_known_args(argv)
    n = count(args.scale)
    site = Site(n, postgres=args.postgres)
    server = None
    bad: list[str] = []
    try:
        info = json.loads(site.python(PREPARE).strip().splitlines()[-1])
        site.yg("collectstatic", "--noinput", "-v", "0")
        port = _free_port()
        server = subprocess.Popen([str(Path(sys.executable).with_name("yigongti")), "serve", "--bind",
                                   f"127.0.0.1:{port}", "--workers", str(args.workers)], env=site.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if _status(base, "/healthz", "") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(f"API under load: {n:,} residents on {engine}, gunicorn {args.workers} workers, {args.users} "
              f"clients, {args.seconds} s per endpoint ({site.loaded})", flush=True)
        print(f"  {'endpoint':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}")
        bare = None
        for label, path, who in _endpoints(info):
            token = info.get(who, "")
            status = _status(base, path, token)
            if status == 404 and path != "/healthz":
                print(f"  {label:<38}{'(not built yet: 404)':>35}")
                continue
            figures = _locust(base, path, token, label, args.seconds, args.users, site.dir)
            if figures["failures"] or not figures["requests"] or status != 200:
                bad.append(f"{label}: status {status}, {figures['failures']} failed of {figures['requests']}")
            bare = bare or figures["rps"]
            ratio = f"{figures['rps'] / bare:.2f}×" if bare else "-"
            print(f"  {label:<38}{figures['rps']:>9.0f}{figures['p50']:>9.0f}{figures['p99']:>9.0f}"
                  f"{figures['failures']:>8}{ratio:>9}", flush=True)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        site.close()
    for line in bad:
        print(f"  FAILED {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
