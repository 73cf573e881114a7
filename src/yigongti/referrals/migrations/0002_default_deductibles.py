"""Starting values of the inpatient deductible table (起付线, yuan) per insurance scheme and hospital grade.
[U] typical county figures, not an official table: the consortium office edits them (referrals admin /
referrals.actions.set_deductible). Data only; imports no app code."""
from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    ("resident", "1"): "200.00", ("resident", "2"): "500.00", ("resident", "3"): "800.00",
    ("employee", "1"): "300.00", ("employee", "2"): "600.00", ("employee", "3"): "1000.00",
}


def forwards(apps, schema_editor):
    Rate = apps.get_model("referrals", "DeductibleRate")
    for (scheme, level), amount in DEFAULTS.items():
        Rate.objects.get_or_create(scheme=scheme, grade_level=level, defaults={"amount": Decimal(amount)})


def backwards(apps, schema_editor):
    Rate = apps.get_model("referrals", "DeductibleRate")
    for (scheme, level), amount in DEFAULTS.items():
        Rate.objects.filter(scheme=scheme, grade_level=level, amount=Decimal(amount)).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_referral_forms_catalogs_filings")]
    operations = [migrations.RunPython(forwards, backwards)]
