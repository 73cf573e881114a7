"""Tamper-evident audit log (issue 16): every entry is chained by hash per institution per local day, and
each closed day's chain end is sealed with an HMAC whose key is outside the database.

    entry_hash = H(canonical JSON of the entry's content ‖ prev_hash)      H = SHA-256 (or SM3: setting)
    seal       = HMAC-SHA256(audit key, chain_key ‖ last_seq ‖ last_hash)

Concurrency: writers of one chain (same institution, same day) are serialised on its head row
(``select_for_update`` on PostgreSQL; SQLite's IMMEDIATE write transactions serialise all writers), held
until the writer's transaction ends. Writers of different institutions do not wait for each other.
``verify`` finds edited rows (hash mismatch), deleted rows (gap in the sequence or broken link) and
truncated chains (fewer rows than the head or the seal records).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import AuditChainHead, AuditEntry, AuditSeal

AUDIT_KEY_PURPOSE = "audit"


def algorithm() -> str:
    return getattr(settings, "YIGONGTI_AUDIT_HASH", "sha256")


def _digest(name: str, data: bytes) -> str:
    if name == "sm3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    return hashlib.sha256(data).hexdigest()


def chain_key_for(institution_id, at: dt.datetime) -> tuple[str, dt.date]:
    day = timezone.localdate(at)
    return f"{institution_id or 0}:{day.isoformat()}", day


def canonical(entry: AuditEntry) -> bytes:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = [entry.chain_key, entry.chain_seq, at, entry.user_id, entry.username, entry.institution_id,
               entry.action, entry.object_type, entry.object_id, entry.object_display, entry.resident_id,
               entry.changes, entry.reason, entry.client_address, entry.channel, entry.prev_hash]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry, algo: str) -> str:
    return _digest(algo, canonical(entry))


def link(entries: Iterable[AuditEntry]) -> None:
    """Give unsaved entries their place in their chains; call just before inserting them, in the
    transaction that inserts them (the head rows stay locked until it ends)."""
    by_chain: dict[str, list[AuditEntry]] = defaultdict(list)
    days: dict[str, dt.date] = {}
    for entry in entries:
        entry.at = entry.at or timezone.now()
        key, day = chain_key_for(entry.institution_id, entry.at)
        entry.chain_key = key
        days[key] = day
        by_chain[key].append(entry)
    held = _held_heads()
    for key in sorted(by_chain):  # a fixed order: two writers never lock two heads in opposite order
        batch, target, head = by_chain[key], key, None
        if held and key not in held and key < max(held):
            # This transaction already holds a head above this one (an earlier write): blocking here could
            # deadlock with a writer that holds this head and waits for ours. Take it only if it is free at
            # once; otherwise chain the entries into a head this transaction holds (they keep their
            # institution; verify follows chain_key).
            head = _try_lock_head(key, days[key], batch[0].institution_id)
            if head is None:
                target = min(held)
                head = AuditChainHead.objects.select_for_update().get(pk=target)
        if head is None:
            head = _lock_head(key, days[key], batch[0].institution_id)
        held.add(target)
        seq, prev = head.seq, head.last_hash
        for entry in batch:
            seq += 1
            entry.chain_key = target
            entry.chain_seq, entry.prev_hash = seq, prev
            entry.entry_hash = prev = entry_hash(entry, head.algorithm)
        AuditChainHead.objects.filter(pk=target).update(seq=seq, last_hash=prev)


def _held_heads() -> set[str]:
    """The chain heads the current transaction has locked (PostgreSQL, where row locks are held until the
    transaction ends; tracked per transaction id). SQLite serialises writers anyway: nothing to track."""
    conn = transaction.get_connection()
    if conn.vendor != "postgresql" or not conn.in_atomic_block:
        return set()
    with conn.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        txid = cursor.fetchone()[0]
    state = getattr(conn, "_yg_audit_heads", None)
    if state is None or state[0] != txid:
        state = (txid, set())
        conn._yg_audit_heads = state
    return state[1]


def _try_lock_head(key: str, day: dt.date, institution_id) -> AuditChainHead | None:
    """Lock (creating if need be) a head without waiting more than a moment; None if another transaction
    holds it (or is creating it)."""
    from django.db import OperationalError

    conn = transaction.get_connection()
    try:
        with transaction.atomic():  # a savepoint: a lock timeout rolls back to here, not the whole transaction
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '50ms'")
            head = _lock_head(key, day, institution_id)
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = DEFAULT")
            return head
    except OperationalError:
        return None


def _lock_head(key: str, day: dt.date, institution_id) -> AuditChainHead:
    AuditChainHead.objects.get_or_create(chain_key=key, defaults={"day": day, "institution_id": institution_id,
                                                                  "algorithm": algorithm()})
    return AuditChainHead.objects.select_for_update().get(pk=key)


def write(entry: AuditEntry) -> AuditEntry:
    with transaction.atomic():
        link([entry])
        entry.save()
    return entry


def write_many(entries: list[AuditEntry]) -> None:
    with transaction.atomic():
        link(entries)
        AuditEntry.objects.bulk_create(entries)


# --- seals -----------------------------------------------------------------------------------------------

def _key_provider():
    # The key provider is configured by dotted path (settings.KEY_PROVIDER), so audit does not import people.
    return import_string(settings.KEY_PROVIDER)()


def _mac(key: bytes, key_id: str, chain_key: str, last_seq: int, last_hash: str, algo: str) -> str:
    message = f"{chain_key}|{last_seq}|{last_hash}|{algo}|{key_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_closed_days(today: dt.date | None = None) -> int:
    """Seal every chain of a day before ``today`` that has no seal yet. Returns how many were sealed."""
    today = today or timezone.localdate()
    provider = _key_provider()
    key_id = provider.current_key_id(AUDIT_KEY_PURPOSE)
    key = provider.key(AUDIT_KEY_PURPOSE, key_id)
    sealed = 0
    heads = AuditChainHead.objects.filter(day__lt=today).exclude(
        chain_key__in=AuditSeal.objects.values("chain_key")).order_by("chain_key")
    for head in heads:
        with transaction.atomic():
            AuditSeal.objects.create(
                chain_key=head.chain_key, institution_id=head.institution_id, day=head.day, last_seq=head.seq,
                last_hash=head.last_hash, algorithm=head.algorithm, key_id=key_id,
                mac=_mac(key, key_id, head.chain_key, head.seq, head.last_hash, head.algorithm))
        sealed += 1
    return sealed


def export_seals(day_from: dt.date | None = None, day_to: dt.date | None = None) -> list[dict]:
    """The seals as plain data, to hand to the auditor or print: with them a later verify proves that the
    day's chain is the one sealed."""
    rows = AuditSeal.objects.order_by("day", "chain_key")
    if day_from:
        rows = rows.filter(day__gte=day_from)
    if day_to:
        rows = rows.filter(day__lte=day_to)
    return [{"chain": s.chain_key, "day": s.day.isoformat(), "institution_id": s.institution_id,
             "last_seq": s.last_seq, "last_hash": s.last_hash, "algorithm": s.algorithm, "key_id": s.key_id,
             "hmac": s.mac, "sealed_at": s.sealed_at.isoformat()} for s in rows]


# --- verify ----------------------------------------------------------------------------------------------

@dataclass
class Report:
    chains: int = 0
    entries: int = 0
    unchained: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(day_from: dt.date | None = None, day_to: dt.date | None = None) -> Report:
    """Recompute every chain (optionally of some days) and compare with heads and seals."""
    report = Report()
    heads = AuditChainHead.objects.order_by("chain_key")
    seals = {s.chain_key: s for s in AuditSeal.objects.all()}
    if day_from:
        heads = heads.filter(day__gte=day_from)
    if day_to:
        heads = heads.filter(day__lte=day_to)
    provider = None
    known = set()
    for head in heads.iterator():
        known.add(head.chain_key)
        report.chains += 1
        seq, prev = 0, ""
        rows = AuditEntry.objects.filter(chain_key=head.chain_key).order_by("chain_seq")
        for entry in rows.iterator(chunk_size=2000):
            report.entries += 1
            seq += 1
            if entry.chain_seq != seq:
                report.problems.append(f"{head.chain_key}: 第 {seq} 条缺失 (missing entry {seq}, found {entry.chain_seq})")
                seq = entry.chain_seq
            if entry.prev_hash != prev:
                report.problems.append(f"{head.chain_key}#{entry.chain_seq}: 链接断开 (broken link)")
            if entry_hash(entry, head.algorithm) != entry.entry_hash:
                report.problems.append(f"{head.chain_key}#{entry.chain_seq}: 内容被修改 (content changed, id {entry.pk})")
            prev = entry.entry_hash
        if seq != head.seq or prev != head.last_hash:
            report.problems.append(f"{head.chain_key}: 链尾不符 (chain end {seq} != head {head.seq}: truncated?)")
        seal = seals.get(head.chain_key)
        if seal is not None:
            provider = provider or _key_provider()
            try:
                key = provider.key(AUDIT_KEY_PURPOSE, seal.key_id)
            except Exception as exc:  # noqa: BLE001 - a missing key is reported, not raised
                report.problems.append(f"{head.chain_key}: 封签密钥不可用 (seal key {seal.key_id}: {exc})")
                continue
            expected = _mac(key, seal.key_id, seal.chain_key, seal.last_seq, seal.last_hash, seal.algorithm)
            if not hmac.compare_digest(expected, seal.mac):
                report.problems.append(f"{head.chain_key}: 封签无效 (seal HMAC invalid)")
            elif seal.last_seq != seq or seal.last_hash != prev:
                report.problems.append(f"{head.chain_key}: 与封签不符 (chain differs from its seal: {seq} != {seal.last_seq})")
    for key, seal in seals.items():
        if key not in known and (not day_from or seal.day >= day_from) and (not day_to or seal.day <= day_to):
            report.problems.append(f"{key}: 封签存在但链头缺失 (sealed chain's head missing)")
    stray = AuditEntry.objects.exclude(chain_key="").exclude(chain_key__in=AuditChainHead.objects.values("chain_key"))
    if not day_from and not day_to and stray.exists():
        report.problems.append("entries whose chain head is missing")
    unchained = AuditEntry.objects.filter(chain_seq__isnull=True)
    report.unchained = unchained.count()
    first = AuditEntry.objects.filter(chain_seq__isnull=False).order_by("id").values("id", "at").first()
    if first is not None and report.unchained:
        # Entries from before the chain existed are legacy; one without a chain written since is an insertion.
        from django.db.models import Q

        inserted = unchained.filter(Q(id__gt=first["id"]) | Q(at__gte=first["at"])).values_list("id", flat=True)[:20]
        for pk in inserted:
            report.problems.append(f"#{pk}: 链外插入的记录 (entry outside the chain, inserted after the chain began)")
    return report
