from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yigongti.ops import backup


class Command(BaseCommand):
    help = "Restore a backup made by `yigongti backup` into the configured database and verify its row counts."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--replace", action="store_true", help="overwrite a database that already has tables")

    def handle(self, *args, path, replace=False, **options):
        try:
            result = backup.restore(path, replace=replace)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {result.path}: {result.tables} tables, {result.rows} rows, counts verified")
