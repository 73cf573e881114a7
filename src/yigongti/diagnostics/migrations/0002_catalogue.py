"""The starting catalogue (orderable LOINC-coded tests with their recognition windows, lab analytes with reference
ranges and critical limits, report templates) on every install, not only in the demo: the same definition the
demo uses (diagnostics/catalog.py), applied with this migration's historical models. Idempotent (rows already
there are kept as they are); the reverse keeps the catalogue (requests point at its tests)."""
from django.db import migrations


def forwards(apps, schema_editor):
    from yigongti.diagnostics.catalog import ensure_catalog

    ensure_catalog(apps, using=schema_editor.connection.alias if schema_editor is not None else "default")


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
