"""Backup and restore of the database (issue 11, item 5): SQLite through its online backup API,
PostgreSQL through pg_dump / pg_restore in the custom format.

A backup is one file plus a manifest beside it (``<file>.json``: database kind, the applied migrations,
row counts per table, creation time). Restore refuses a target that already holds tables unless told to
replace it, then compares the restored row counts with the manifest and fails loudly on a difference.
The field-encryption keys are NOT in the backup (they live under ``settings.KEY_DIR``, outside the
database): personal data in a backup stays encrypted, and the keys are backed up separately.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

MANIFEST_SUFFIX = ".json"


class BackupError(RuntimeError):
    pass


@dataclass
class Result:
    path: Path
    tables: int
    rows: int


def _vendor() -> str:
    return connection.vendor  # "sqlite" | "postgresql"


def table_counts() -> dict[str, int]:
    """Rows per table of the current database (every table Django knows, plus its own bookkeeping)."""
    names = sorted(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - introspected names
            counts[name] = cursor.fetchone()[0]
    return counts


def _migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def default_path() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if _vendor() == "sqlite" else "pgdump"
    return Path(settings.VAR_DIR) / "backups" / f"yigongti-{stamp}.{suffix}"


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup(path: Path | None = None) -> Result:
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = table_counts()
    if _vendor() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # online: consistent while the platform keeps running
        finally:
            target.close()
    elif _vendor() == "postgresql":
        args, env = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "-f", str(path), name], env)
    else:  # pragma: no cover - the ORM keeps the door open, backups are per engine
        raise BackupError(f"no backup for {_vendor()}")
    os.chmod(path, 0o600)  # personal data (encrypted) inside: owner only
    manifest = {"vendor": _vendor(), "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "migrations": _migrations(), "counts": counts}
    manifest_path = Path(str(path) + MANIFEST_SUFFIX)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.chmod(manifest_path, 0o600)
    return Result(path, len(counts), sum(counts.values()))


def read_manifest(path: Path) -> dict:
    manifest_path = Path(str(path) + MANIFEST_SUFFIX)
    if not manifest_path.exists():
        raise BackupError(f"{manifest_path} is missing: not a yigongti backup")
    return json.loads(manifest_path.read_text())


def restore(path: Path, *, replace: bool = False) -> Result:
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    manifest = read_manifest(path)
    if manifest["vendor"] != _vendor():
        raise BackupError(f"a {manifest['vendor']} backup cannot be restored into {_vendor()}")
    existing = connection.introspection.table_names()
    if existing and not replace:
        raise BackupError(f"the target database already has {len(existing)} tables; use --replace to overwrite it")
    if _vendor() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connections.close_all()
    else:
        args, env = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        connections.close_all()
        extra = ["--clean", "--if-exists"] if replace else []
        _run(["pg_restore", *args, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
              *extra, "-d", name, str(path)], env)
    restored = table_counts()
    differences = {t: (n, restored.get(t)) for t, n in manifest["counts"].items() if restored.get(t) != n}
    if differences:
        raise BackupError(f"restored row counts differ from the backup's manifest: {differences}")
    return Result(path, len(restored), sum(restored.values()))


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")
