"""A throwaway platform instance for benchmarks: its own var directory, keys and SQLite database (or a
throwaway database on the PostgreSQL server named by --postgres), loaded with `yigongti demo --residents N`.

When YIGONGTI_BENCH_CACHE names a directory (`python -m bench` sets one for its run), the first SQLite site of a
given size and seed keeps a pristine copy of its var directory there and later sites start from a copy of it:
every benchmark still gets a database of its own, but the demo county is loaded once per run, not once per module.
The load time printed is then the copy's, and says so."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

YG = str(Path(sys.executable).with_name("yigongti"))
SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def count(scale: str) -> int:
    return SCALES.get(scale.lower()) or int(scale)


class Site:
    def __init__(self, residents: int, *, postgres: str | None = None, seed: int = 1):
        self.dir = Path(tempfile.mkdtemp(prefix="yigongti-bench-"))
        self.pg_admin = postgres
        if postgres:
            self.dbname = f"yg_bench_{uuid.uuid4().hex[:8]}"
            parts = urlsplit(postgres)
            self.url = urlunsplit((parts.scheme, parts.netloc, f"/{self.dbname}", "", ""))
            self._psql(f"CREATE DATABASE {self.dbname}")
        else:
            self.url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        self.env.update(YIGONGTI_VAR_DIR=str(self.dir), YIGONGTI_KEY_DIR=str(self.dir / "keys"),
                        YIGONGTI_HTTPS="0", DATABASE_URL=self.url,
                        DJANGO_SETTINGS_MODULE="yigongti.settings", YIGONGTI_LOG_LEVEL="ERROR")
        started = time.monotonic()
        cache = self._cache_dir(residents, seed) if not postgres else None
        self.from_cache = bool(cache and cache.is_dir())
        if self.from_cache:
            shutil.copytree(cache, self.dir, dirs_exist_ok=True)
        else:
            self.yg("init-local")
            self.yg("migrate", "--noinput", "-v", "0")
            self.yg("demo", "--residents", str(residents), "--seed", str(seed))
            if cache:
                staging = cache.with_name(cache.name + f".{uuid.uuid4().hex[:6]}")
                shutil.copytree(self.dir, staging)
                staging.rename(cache)  # atomic: a half-written copy is never seen as the cache
        self.load_seconds = time.monotonic() - started

    @property
    def loaded(self) -> str:
        """How the demo county got here, for the benchmark's header line."""
        if self.from_cache:
            return f"copied from this run's loaded demo in {self.load_seconds:.1f} s"
        return f"demo loaded in {self.load_seconds:.0f} s"

    @staticmethod
    def _cache_dir(residents: int, seed: int) -> Path | None:
        root = os.environ.get("YIGONGTI_BENCH_CACHE")
        return Path(root) / f"demo-{residents}-{seed}" if root else None

    def adopt(self) -> None:
        """Point this process at the site (for benchmarks that run Django in-process): call before
        ``django.setup()``."""
        for key in [k for k in os.environ if k.startswith(("PYTEST", "DJANGO_SETTINGS"))]:
            del os.environ[key]
        os.environ.update(self.env)

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin, autocommit=True) as conn:
            conn.execute(sql)

    def yg(self, *args: str) -> str:
        done = subprocess.run([YG, *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"yigongti {' '.join(args)} failed: {done.stderr[-3000:]}")
        return done.stdout

    def python(self, code: str) -> str:
        done = subprocess.run([sys.executable, "-c", code], env=self.env, capture_output=True, text=True,
                              check=False)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def close(self) -> None:
        if self.pg_admin:
            self._psql(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
        shutil.rmtree(self.dir, ignore_errors=True)


def adopted_site(database_url: str | None, residents: int, seed: int) -> Site | None:
    """For a benchmark that runs Django in-process: on SQLite (no database URL given) a throwaway site with the
    demo loaded (once per `python -m bench` run), this process pointed at it; None when a database is named
    (the benchmark then builds its county there itself). Close it when done."""
    if database_url or os.environ.get("DATABASE_URL"):
        return None
    site = Site(residents, seed=seed)
    site.adopt()
    return site
