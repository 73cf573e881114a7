"""A fresh production install has the diagnostics catalogue (tests with LOINC codes and recognition windows, lab
analytes with reference ranges and critical limits, report templates): data migration 0002_catalogue applies the
catalogue definition the demo uses; it is idempotent, keeps what the office edited, and its reverse is a no-op."""
import importlib
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from yigongti.diagnostics import catalog
from yigongti.diagnostics.models import Analyte, Template
from yigongti.diagnostics.models import Test as CatalogTest

migration = importlib.import_module("yigongti.diagnostics.migrations.0002_catalogue")


def _empty_catalogue() -> None:
    Analyte.objects.all().delete()
    CatalogTest.objects.all().delete()
    Template.objects.all().delete()


def _assert_catalogue() -> None:
    tests = {t.code: t for t in CatalogTest.objects.all()}
    assert set(tests) == {code for code, *_rest in catalog.TESTS}
    for code, name, modality, loinc, days in catalog.TESTS:
        t = tests[code]
        assert (t.name, t.modality, t.loinc, t.recognition_days, t.active) == (name, modality, loinc, days, True)
    for code, analytes in catalog.ANALYTES.items():
        found = {a.code: a for a in Analyte.objects.filter(test=tests[code])}
        assert set(found) == {a[0] for a in analytes}
        for order, (acode, aloinc, _name, unit, low, high, clow, chigh) in enumerate(analytes):
            a = found[acode]
            assert (a.loinc, a.unit, a.order, a.low, a.high) == (aloinc, unit, order, Decimal(low), Decimal(high))
            assert a.critical_low == (Decimal(clow) if clow else None) and a.critical_high == Decimal(chigh)
    assert set(Template.objects.values_list("modality", "name")) == {(m, n) for m, n, *_rest in catalog.TEMPLATES}


@pytest.mark.django_db(transaction=True)
def test_a_migrated_empty_database_has_the_catalogue():
    executor = MigrationExecutor(connection)
    catalog.ensure_catalog()
    executor.migrate([("diagnostics", "0001_initial")])  # unapplying keeps the catalogue (requests use its tests)
    assert ("diagnostics", "0002_catalogue") not in MigrationRecorder(connection).applied_migrations()
    assert CatalogTest.objects.count() == len(catalog.TESTS)

    _empty_catalogue()  # the tables as a fresh install has them after 0001
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ("diagnostics", "0002_catalogue") in MigrationRecorder(connection).applied_migrations()
    _assert_catalogue()


@pytest.mark.django_db
def test_the_migration_is_idempotent_and_keeps_the_offices_edits():
    from django.db.migrations.loader import MigrationLoader

    _empty_catalogue()
    historical = MigrationLoader(connection).project_state(("diagnostics", "0002_catalogue")).apps
    migration.forwards(historical, None)
    _assert_catalogue()
    counts = (CatalogTest.objects.count(), Analyte.objects.count(), Template.objects.count())
    CatalogTest.objects.filter(code="LAB-CBC").update(recognition_days=5, name="血常规五分类")
    Analyte.objects.filter(code="K").update(critical_high=Decimal("6.5"))
    migration.forwards(historical, None)
    assert (CatalogTest.objects.count(), Analyte.objects.count(), Template.objects.count()) == counts
    assert CatalogTest.objects.get(code="LAB-CBC").recognition_days == 5
    assert Analyte.objects.get(code="K").critical_high == Decimal("6.5")
    # the demo's and the tests' call of the same definition adds nothing either
    catalog.ensure_catalog()
    assert (CatalogTest.objects.count(), Analyte.objects.count(), Template.objects.count()) == counts
