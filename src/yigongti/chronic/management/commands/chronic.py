"""`yigongti chronic enrol-population [--date YYYY-MM-DD] [--batch N]`: run the nightly enrolment of the population
programmes once (the same code as the periodic job ``chronic.population_enrolment``).
`yigongti chronic import-growth-table FILE --source "..."`: load the WS/T 423-2022 reference table the county's
child-health department supplies (CSV layout in docs/chronic.md); a file with any bad row is refused whole.
`yigongti chronic growth-table`: which reference table is in force."""
import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Programme engine tasks: enrol-population, import-growth-table FILE --source S, growth-table."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["enrol-population", "import-growth-table", "growth-table"])
        parser.add_argument("file", nargs="?", help="the CSV file (import-growth-table)")
        parser.add_argument("--date", help="the day to enrol for (YYYY-MM-DD, not after today; default today)")
        parser.add_argument("--batch", type=int, default=500, help="state changes per transaction")
        parser.add_argument("--source", default="", help="where the table comes from (standard's table numbers, "
                                                         "supplying department, date)")

    def handle(self, *args, what, file, date, batch, source, **options):
        if what == "enrol-population":
            self._enrol(date, batch)
        elif what == "import-growth-table":
            self._import(file, source)
        else:
            from yigongti.chronic.growth import table_in_force

            t = table_in_force()
            self.stdout.write(f"{t.source}: {t.rows} rows, imported {t.imported_at:%Y-%m-%d}, sha256 {t.checksum}"
                              if t else "no reference table loaded")

    def _enrol(self, date, batch):
        from yigongti.chronic import nightly

        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        if day > timezone.localdate():
            raise CommandError("--date cannot be after today")
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        total = nightly.run_all(day, limit=batch)
        self.stdout.write(f"{day}: ended {total['ended']}, enrolled {total['enrolled']}, "
                          f"failed {len(total['failed'])}, without a managing institution {total['unattributed']}, "
                          f"{total['batches']} batch(es)")
        for failure in total["failed"][:20]:
            self.stdout.write(f"  failed: {failure}")

    def _import(self, file, source):
        from yigongti.chronic.growth import import_growth_table

        if not file:
            raise CommandError("give the CSV file: yigongti chronic import-growth-table FILE --source ...")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with transaction.atomic(durable=True):
                imp = import_growth_table(None, data=path.read_bytes(), source=source, filename=path.name)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for m in messages:
                    self.stderr.write(f"{field}: {m}")
            raise CommandError("the table was not loaded") from None
        self.stdout.write(f"loaded {imp.rows} rows from {path.name} ({imp.source})")
