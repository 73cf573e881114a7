"""No plaintext document or phone numbers of the synthetic residents in the database, the audit log or a
backup made by `yigongti backup` (issue 16). The residents are made every way the platform takes them in
(page, API, FHIR, action), then changed, read, searched and exported, so every path that writes an audit
entry has had its chance to leak."""
import datetime as dt
import json
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.people.conftest import register, synthetic
from yigongti.audit.models import AuditEntry
from yigongti.people import actions, crypto
from yigongti.people.models import Resident

PHONES = ["13987654321", "13700001234", "15811112222", "18633334444", "13544445555", "17755556666"]


def _as_text(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _database_text() -> str:
    """Every value of every table of the database (whatever Django knows or not), as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                chunks.extend(_as_text(v) for v in row if v is not None)
    return "\n".join(chunks)


def _make_residents(s) -> list[str]:
    """Residents of village A with document and phone numbers, made through each entry point; returns the
    plaintext numbers to look for."""
    secrets = []
    # the action, with a contact phone and an address
    born = dt.date(1948, 3, 2)
    id_1 = synthetic(born, "2")
    person = register(s, name="扫描甲", id_number=id_1, phone=PHONES[0], contact_name="联系人",
                      contact_phone=PHONES[1], address="桃源村1组")
    secrets += [id_1, PHONES[0], PHONES[1]]
    # a change of phone (the audit entry records that it changed, not to what)
    actions.update_resident(s.village_doctor_a, person, person.version, phone=PHONES[2])
    secrets.append(PHONES[2])
    # the page
    page = Client()
    page.force_login(s.village_doctor_a)
    id_2 = synthetic(dt.date(1960, 5, 5), "1")
    response = page.post("/people/new/", {
        "name": "扫描乙", "document_type": "id_card", "id_number": id_2, "sex": "1", "birth_date": "1960-05-05",
        "area": s.village_a.pk, "insurance_scheme": "resident", "phone": PHONES[3], "force": "on",
        "is_resident": "on", "is_registered": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    secrets += [id_2, PHONES[3]]
    # the API
    token = Token.objects.get_or_create(user=s.village_doctor_a)[0].key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    id_3 = synthetic(dt.date(1970, 7, 7), "2")
    response = api.post("/api/v1/residents/", {
        "institution": s.clinic_a.pk, "area": s.village_a.pk, "name": "扫描丙", "sex": "2", "birth_date": "1970-07-07",
        "document_type": "id_card", "id_number": id_3, "phone": PHONES[4], "force": True},
        content_type="application/json")
    assert response.status_code == 201, response.content
    secrets += [id_3, PHONES[4]]
    # FHIR
    from tests.fhir.conftest import patient

    id_4 = synthetic(dt.date(1956, 4, 12), "1")
    response = api.post("/fhir/Patient", json.dumps(patient(s, name="扫描丁", number=id_4, phone=PHONES[5])),
                        content_type="application/fhir+json")
    assert response.status_code == 201, response.content
    secrets += [id_4, PHONES[5]]
    # reads, a search by number, an export: each writes audit entries
    for r in Resident.objects.all():
        page.get(f"/people/{r.pk}/")
    page.get(f"/people/?q={id_1}")
    page.get(f"/people/?q={PHONES[0]}")
    page.get("/people/export.xlsx?q=&purpose=核对")
    api.get(f"/fhir/Patient?identifier={id_4}")
    assert crypto.decrypt(Resident.objects.get(name="扫描甲").phone_enc) == PHONES[2]
    return secrets


def _assert_none_in(text: str, secrets: list[str], where: str):
    leaked = [value for value in secrets if value in text]
    assert not leaked, f"plaintext numbers in {where}: {leaked}"


def test_the_database_and_audit_log_hold_no_plaintext_numbers(scenario):
    secrets = _make_residents(scenario)
    _assert_none_in(_database_text(), secrets, "the database")
    audit = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    assert AuditEntry.objects.filter(object_type="people.Resident").count() > 10
    _assert_none_in(audit, secrets, "the audit log")


def _backup_text(path) -> str:
    """A SQLite backup is the database file (strings stored as they are); a PostgreSQL backup is pg_dump's
    compressed custom format, read back as SQL with pg_restore so compression cannot hide anything."""
    if connection.vendor == "sqlite":
        return path.read_bytes().decode("utf-8", "replace")
    return subprocess.run(["pg_restore", "-f", "-", str(path)], check=True, capture_output=True).stdout.decode()


@pytest.mark.django_db(transaction=True)  # the backup copies committed data
def test_a_backup_holds_no_plaintext_numbers(tmp_path):
    from tests.scenario import build_scenario

    scenario = build_scenario()
    secrets = _make_residents(scenario)
    out = tmp_path / ("backup.sqlite3" if connection.vendor == "sqlite" else "backup.pgdump")
    call_command("backup", output=out)
    text = _backup_text(out)
    assert "扫描甲" in text  # the backup holds the residents (names are not encrypted) ...
    _assert_none_in(text, secrets, "the backup")  # ... but not their numbers
