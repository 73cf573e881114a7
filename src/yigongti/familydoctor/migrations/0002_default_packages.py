from django.db import migrations


def forwards(apps, schema_editor):
    from yigongti.familydoctor.defaults import PACKAGES

    Package = apps.get_model("familydoctor", "Package")
    PackageItem = apps.get_model("familydoctor", "PackageItem")
    for code, name, kind, price, items in PACKAGES:
        package, created = Package.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "price": price})
        if created:
            PackageItem.objects.bulk_create([
                PackageItem(package=package, position=n, label=label, service_code=sc, yearly_count=count,
                            population=pop) for n, (label, sc, count, pop) in enumerate(items)])


class Migration(migrations.Migration):
    dependencies = [("familydoctor", "0001_teams_packages_contracts")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
