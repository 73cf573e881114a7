"""Tamper-evident audit (issue 16): edited, deleted and truncated rows are found by `yigongti audit verify`."""
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from yigongti.audit import chain
from yigongti.audit.log import record_export
from yigongti.audit.models import AuditChainHead, AuditEntry, AuditSeal


def _entries(n, actor):
    return [record_export(actor, object_type="people.Resident", count=i + 1) for i in range(n)]


def _raw(sql, params=()):
    """Tamper as an attacker with database access would: with the append-only triggers switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute(sql, params)
        else:  # a superuser session switches the triggers off (ALTER TABLE would trip on pending FK checks)
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")


def test_entries_are_chained_and_verify(scenario):
    entries = _entries(3, scenario.township_doctor)
    first = entries[0].chain_seq
    assert [e.chain_seq for e in entries] == [first, first + 1, first + 2]
    assert entries[1].prev_hash == entries[0].entry_hash
    report = chain.verify()
    assert report.ok, report.problems
    call_command("audit", "verify")


def test_an_edited_row_is_found(scenario):
    entries = _entries(3, scenario.township_doctor)
    _raw("UPDATE audit_auditentry SET object_display = %s WHERE id = %s", ["999", entries[1].pk])
    report = chain.verify()
    assert any("内容被修改" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_a_deleted_row_is_found(scenario):
    entries = _entries(3, scenario.township_doctor)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    assert any("缺失" in p for p in chain.verify().problems)


def test_a_truncated_chain_is_found_by_the_head_and_by_the_seal(scenario):
    entries = _entries(3, scenario.township_doctor)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    assert any("链尾不符" in p for p in chain.verify().problems)
    AuditChainHead.objects.all().delete()  # removing the heads too leaves entries without a head
    assert any("head is missing" in p for p in chain.verify().problems)


def test_the_seal_catches_a_rewritten_chain_end(scenario):
    entries = _entries(3, scenario.township_doctor)
    assert chain.seal_closed_days(timezone.localdate() + dt.timedelta(days=1)) >= 1
    assert chain.verify().ok
    exported = chain.export_seals()
    assert exported and exported[0]["hmac"]
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    head = AuditChainHead.objects.get(pk=entries[2].chain_key)
    AuditChainHead.objects.filter(pk=head.pk).update(seq=2, last_hash=entries[1].entry_hash)
    problems = chain.verify().problems
    assert any("与封签不符" in p for p in problems)
    AuditSeal.objects.filter(chain_key=head.pk).update(last_seq=2, last_hash=entries[1].entry_hash)
    assert any("封签无效" in p for p in chain.verify().problems)


def test_chains_are_per_institution(scenario):
    from yigongti.audit.log import record_change

    record_change(scenario.township_doctor, action="update", subject=scenario.centre_1, before={"a": 1},
                  after={"a": 2}, institution_id=scenario.centre_1.pk)
    record_change(scenario.other_township_doctor, action="update", subject=scenario.centre_2, before={"a": 1},
                  after={"a": 2}, institution_id=scenario.centre_2.pk)
    keys = set(AuditEntry.objects.exclude(chain_key="").values_list("chain_key", flat=True))
    assert f"{scenario.centre_1.pk}:{timezone.localdate().isoformat()}" in keys
    assert f"{scenario.centre_2.pk}:{timezone.localdate().isoformat()}" in keys
    assert chain.verify().ok


def test_a_row_inserted_outside_the_chain_is_found(scenario):
    entries = _entries(2, scenario.township_doctor)
    _raw("INSERT INTO audit_auditentry (at, username, action, object_type, object_id, object_display, changes, "
         "reason, client_address, channel, chain_key, prev_hash, entry_hash) "
         "VALUES (%s, 'ghost', 'read', 'people.Resident', '1', '', '{}', '', '', '', '', '', '')",
         [entries[1].at])
    assert any("链外插入" in p for p in chain.verify().problems)
