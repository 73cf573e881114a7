"""A platform instance of its own for tests that run the real commands in subprocesses: its own var
directory, keys and database (a SQLite file, or a fresh PostgreSQL database when the suite runs there)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

YG = str(Path(sys.executable).with_name("yigongti"))
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]


def env_for(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(YIGONGTI_VAR_DIR=str(var_dir), YIGONGTI_HTTPS="0", DJANGO_SETTINGS_MODULE="yigongti.settings",
               DATABASE_URL=database_url, **extra)
    return env


@contextmanager
def database(var_dir: Path, label: str):
    """A database URL of the suite's kind, dropped afterwards."""
    if not ON_POSTGRES:
        yield f"sqlite:///{var_dir / f'{label}.sqlite3'}"
        return
    name = f"yg_{label}_{uuid.uuid4().hex[:8]}"
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


def yg(env, *args, check=True, timeout=300):
    return subprocess.run([YG, *args], env=env, check=check, capture_output=True, text=True, timeout=timeout)


def python(env, code: str, *, check=True, timeout=300):
    return subprocess.run([sys.executable, "-c", code], env=env, check=check, capture_output=True, text=True,
                          timeout=timeout)


def python_json(env, code: str):
    return json.loads(python(env, code).stdout.strip().splitlines()[-1])
