"""`yigongti import-catalog FILE`: load the official ICD-10 file (国家临床版 2.0 or 医保版 2.0, XLSX or CSV).

The header row is found below any title rows (诊断代码/主要编码 + 诊断名称/疾病名称); codes are upserted into
people.Icd10Code: new codes added, changed names updated, nothing duplicated when the file is loaded again.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yigongti.people.import_files import FileProblem
from yigongti.people.importing import import_catalog
from yigongti.people.models import Icd10Code


class Command(BaseCommand):
    help = "Import the ICD-10 catalogue (国家临床版 2.0 / 医保版 2.0) from the official XLSX or a CSV."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--edition", dest="catalog_version", choices=Icd10Code.Version.values, default=None,
                            help="catalogue version (default: 医保版 when the file name says 医保/insurance, "
                                 "else 国家临床版)")

    def handle(self, *args, file: str, catalog_version: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with transaction.atomic(durable=True):
                result = import_catalog(path.read_bytes(), path.name, version=catalog_version)
        except FileProblem as exc:
            raise CommandError(str(exc.message)) from None
        where = f"sheet {result.sheet!r}, " if result.sheet else ""
        self.stdout.write(f"{path.name}: header at {where}row {result.header_row}; "
                          f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged, "
                          f"{len(result.errors)} rows skipped")
        for number, column, reason in result.errors[:50]:
            self.stdout.write(f"  row {number} {column}: {reason}")
        if len(result.errors) > 50:
            self.stdout.write(f"  … and {len(result.errors) - 50} more")
