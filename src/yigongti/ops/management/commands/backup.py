from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yigongti.ops import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup / pg_dump) with a manifest of row counts."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default var/backups/yigongti-<time>.*)")

    def handle(self, *args, output=None, **options):
        try:
            result = backup.backup(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {result.path} ({result.tables} tables, {result.rows} rows)")
        self.stdout.write("the field-encryption keys are not in it: back up the key directory separately")
