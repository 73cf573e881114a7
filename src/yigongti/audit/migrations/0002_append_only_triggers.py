"""Append-only at the database too: triggers refuse UPDATE (and on PostgreSQL DELETE) on the audit table.

On SQLite only UPDATE is refused by the database: Django empties SQLite tables with DELETE (test runs,
`flush`), while PostgreSQL uses TRUNCATE, which a row trigger does not see. Deletion through the
application is refused by the model and its queryset on both databases."""
from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_entry_no_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
                   "DROP FUNCTION IF EXISTS audit_entry_append_only()"],
}


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_log")]
    operations = [migrations.RunPython(create, drop)]
