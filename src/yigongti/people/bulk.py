"""Bulk loading for the large demo scales (``yigongti demo --residents N``; design "Scale"): COPY on
PostgreSQL (psycopg 3 ``cursor.copy``), ``executemany`` in large transactions on SQLite. Never through the
per-record actions: no events, no audit entries — `yigongti kpi rebuild` (the demo's last part) recomputes
what the events would have kept.

Later apps load their own bulk parts with the same writer:

    table = BulkTable(Contract, ["id", "resident_id", "team_id", "start_date", …])
    table.write(rows)  # an iterable of tuples in that order; other columns get the field's default

Personal fields are sealed with people.crypto's own primitives (SM4-GCM, HMAC-SM3 blind indexes) with the
key looked up once (``Sealer``), producing exactly the tokens ``crypto.encrypt`` produces.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from . import crypto


class Sealer:
    """``crypto.encrypt`` for many values: the key is fetched once, each value gets its own nonce."""

    def __init__(self) -> None:
        p = crypto.provider()
        self.key_id = p.current_key_id("data")
        self.key = p.key("data", self.key_id)
        self.associated = self.key_id.encode()

    def encrypt(self, value: str | None) -> str:
        if not value:
            return ""
        nonce = secrets.token_bytes(crypto.NONCE_BYTES)
        sealed = crypto.sm4_gcm_encrypt(self.key, value.encode("utf-8"), nonce, self.associated)
        return f"{crypto.PREFIX}:{self.key_id}:{base64.b64encode(nonce + sealed).decode()}"

    @staticmethod
    def index(kind: str, value: str | None) -> str:
        return crypto.blind_index(kind, value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def fen(amount: int) -> str:
    """An amount in fen as the yuan string a DecimalField takes: 12345 -> "123.45"."""
    return f"{amount // 100}.{amount % 100:02d}"


class BulkTable:
    """Writes rows of one model's table. ``supplied`` names the fields each row gives, in order (use the
    attname, e.g. ``resident_id``), with database-ready values: str, int, bool, date, Decimal, None, and JSON
    already dumped to a string. Every other concrete column gets the field's default (``now`` for auto_now /
    auto_now_add fields), appended as a constant tail. Leave out the id to let the database number rows."""

    def __init__(self, model: type[models.Model], supplied: Sequence[str], now: dt.datetime | None = None):
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in supplied if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no field {unknown}")
        now = now or timezone.now()
        self.postgres = connection.vendor == "postgresql"
        rest = [f for name, f in fields.items() if name not in supplied
                and not (f.primary_key and isinstance(f, models.AutoField))]
        self.columns = [fields[name].column for name in supplied] + [f.column for f in rest]
        self.tail = tuple(self._constant(f, now) for f in rest)
        self.written = 0

    def _constant(self, f: models.Field, now: dt.datetime) -> Any:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            return None
        elif f.primary_key:
            raise ValueError(f"{self.model.__name__}: supply the primary key")
        else:
            value = "" if isinstance(f, models.CharField | models.TextField) else None
        if isinstance(f, models.JSONField):
            return _json(value)
        if isinstance(f, models.DateTimeField) and not self.postgres and value is not None:
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert the rows (inside the caller's transaction); returns how many."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        tail = self.tail
        count = 0
        connection.ensure_connection()
        if self.postgres:
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(tuple(row) + tail)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(self.columns))})"  # noqa: S608
            raw = connection.connection.cursor()
            batch: list[tuple] = []
            for row in rows:
                batch.append(tuple(row) + tail)
                if len(batch) >= 5000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch.clear()
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
            raw.close()
        self.written += count
        return count


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: the loader assigns ids itself so rows can point at each other."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After inserting explicit ids, move PostgreSQL's sequences past them (SQLite follows by itself)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cursor.execute(sql)


class Rate:
    """Rows per second, printed as the load goes."""

    def __init__(self, log: Callable[[str], None], label: str):
        self.log, self.label = log, label
        self.started = time.monotonic()
        self.rows = 0

    def add(self, rows: int, *, say: bool = True) -> None:
        self.rows += rows
        if say:
            self.say()

    def say(self, suffix: str = "") -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.log(f"    {self.label}: {self.rows:,} rows, {self.rows / elapsed:,.0f} rows/s{suffix}")

    @property
    def per_second(self) -> float:
        return self.rows / max(time.monotonic() - self.started, 1e-6)
