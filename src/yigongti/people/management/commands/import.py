"""`yigongti import residents|exams|encounters FILE --institution CODE --user USERNAME`: the same import as
the upload page, run now, with its progress on the command line. Each chunk of rows is committed on its
own; bad rows are listed (and written to --errors as XLSX); importing the file again creates nothing new."""
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yigongti.org.models import Institution
from yigongti.people import importing
from yigongti.people.import_files import FileProblem


class Command(BaseCommand):
    help = "Import residents, health exams or encounters from CSV (UTF-8/GBK) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(importing.KINDS))
        parser.add_argument("file")
        parser.add_argument("--institution", required=True, help="code of the institution the data belongs to")
        parser.add_argument("--user", required=True, help="username of the person importing (audited)")
        parser.add_argument("--errors", default=None, help="write the error report (XLSX) to this path")

    def handle(self, *args, kind: str, file: str, institution: str, user: str, errors: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        inst = Institution.objects.filter(code=institution).first()
        if inst is None:
            raise CommandError(f"no institution with code {institution}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user {user}")
        started = time.monotonic()

        def progress(counts, total):
            elapsed = max(time.monotonic() - started, 1e-6)
            share = 100 * counts.rows // total if total else 100
            self.stdout.write(f"  {counts.rows:,}/{total:,} rows ({share}%), {counts.created:,} new, "
                              f"{counts.failed:,} bad, {counts.rows / elapsed:,.0f} rows/s")

        try:
            counts = importing.import_file(kind, path.read_bytes(), path.name, actor=actor, institution=inst,
                                           progress=progress)
        except FileProblem as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{path.name}: {counts.rows:,} rows: {counts.created:,} new, {counts.updated:,} updated, "
                          f"{counts.unchanged:,} unchanged, {counts.failed:,} with errors "
                          f"({time.monotonic() - started:.1f}s)")
        for number, column, reason in counts.errors[:30]:
            self.stdout.write(f"  row {number} {column}: {reason}")
        if len(counts.errors) > 30:
            self.stdout.write(f"  … and {len(counts.errors) - 30} more")
        if errors and counts.errors:
            Path(errors).write_bytes(importing.error_workbook(counts.errors))
            self.stdout.write(f"error report: {errors}")
