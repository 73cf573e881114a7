"""`yigongti backup` and `yigongti restore` (issue 11, item 5): a backup restored into an empty database
holds every record, encrypted fields stay readable with the key, and personal numbers are not in the
backup in plaintext. Run for real, in subprocesses, on SQLite and (when the server is there) PostgreSQL."""
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

YG = str(Path(sys.executable).with_name("yigongti"))

CHECK = """
import django, json; django.setup()
from yigongti.people.models import Resident
from yigongti.people.crypto import decrypt
from yigongti.ops.backup import table_counts
rows = list(Resident.objects.values_list("document_number_enc", "phone_enc"))
print(json.dumps({"residents": len(rows),
                  "ids": sorted(decrypt(d) for d, _ in rows if d),
                  "phones": sorted(decrypt(p) for _, p in rows if p),
                  "rows": sum(table_counts().values())}))
"""


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(YIGONGTI_VAR_DIR=str(tmp_path), YIGONGTI_HTTPS="0", DJANGO_SETTINGS_MODULE="yigongti.settings",
               DATABASE_URL=database_url)
    return env


def _run(env, *args, check=True):
    return subprocess.run([YG, *args], env=env, check=check, capture_output=True, text=True)


def _check(env) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", CHECK], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def _round_trip(tmp_path, source_url, target_url, backup_file):
    source = _env(tmp_path, source_url)
    _run(source, "init-local")
    _run(source, "migrate", "--noinput", "-v", "0")
    _run(source, "demo", "--scale", "tiny", "--seed", "3")
    before = _check(source)
    assert before["residents"] > 0 and before["ids"] and before["phones"]

    out = _run(source, "backup", "--output", str(backup_file))
    assert "backup written" in out.stdout
    assert oct(backup_file.stat().st_mode & 0o777) == "0o600"

    raw = backup_file.read_bytes()
    for number in before["ids"][:20] + before["phones"][:20]:
        assert number.encode() not in raw, "personal numbers are encrypted in the backup"

    target = _env(tmp_path, target_url)
    out = _run(target, "restore", str(backup_file))
    assert "counts verified" in out.stdout
    after = _check(target)
    assert after == before  # every row back, and ID/phone numbers decrypt with the same key

    refused = _run(target, "restore", str(backup_file), check=False)
    assert refused.returncode != 0 and "--replace" in refused.stderr
    replaced = _run(target, "restore", "--replace", str(backup_file))
    assert "counts verified" in replaced.stdout


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(ON_POSTGRES, reason="the suite's PostgreSQL run covers the PostgreSQL round trip")
def test_sqlite_round_trip(tmp_path):
    _round_trip(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}",
                tmp_path / "backup.sqlite3")


def _postgres_available() -> bool:
    if not shutil.which("pg_dump") or not shutil.which("psql"):
        return False
    done = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    return done.returncode == 0


@pytest.mark.skipif(not ON_POSTGRES or not _postgres_available(), reason="runs in the suite's PostgreSQL run")
def test_postgresql_round_trip(tmp_path):
    names = [f"yg_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("source", "target")]
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    for name in names:
        subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        urls = [f"postgres://postgres@127.0.0.1:5432/{name}" for name in names]
        _round_trip(tmp_path, urls[0], urls[1], tmp_path / "backup.pgdump")
    finally:
        for name in names:
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


def test_a_backup_of_another_kind_is_refused(tmp_path):
    import json

    fake = tmp_path / "x.pgdump"
    fake.write_bytes(b"not really")
    (tmp_path / "x.pgdump.json").write_text(json.dumps({"vendor": "postgresql", "counts": {}}))
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    _run(env, "init-local")
    refused = _run(env, "restore", str(fake), check=False)
    assert refused.returncode != 0 and "cannot be restored into sqlite" in refused.stderr
