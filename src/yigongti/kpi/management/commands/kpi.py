import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yigongti.kpi import actions, catalog


class Command(BaseCommand):
    help = "Indicators: `kpi rebuild` recomputes every rollup from raw data; `kpi list` prints the catalog."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute every rollup from raw data")
        sub.add_parser("list", help="print the indicator catalog")

    def handle(self, *args, action: str, **options):
        if action == "rebuild":
            started = time.monotonic()
            with transaction.atomic(durable=True):
                counts = actions.rebuild()
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count} rows")
            self.stdout.write(f"rebuilt in {time.monotonic() - started:.1f}s")
        elif action == "list":
            for indicator in catalog.all_indicators():
                self.stdout.write(f"{indicator.code:45} {indicator.status:11} {indicator.name}")
        else:  # pragma: no cover - argparse refuses other actions
            raise CommandError(action)


