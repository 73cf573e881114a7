"""`yigongti keys rotate|reencrypt|status`: field-encryption key rotation (issue 16).

rotate     make a new data key current (file provider) and queue the re-encryption job
reencrypt  queue the re-encryption job (after a cipher change, or to resume)
status     how many stored values are under an old key or cipher
"""
from django.core.management.base import BaseCommand

from yigongti.jobs.queue import enqueue
from yigongti.people import crypto
from yigongti.people.jobs import REENCRYPT_FIELDS, REENCRYPT_KIND


class Command(BaseCommand):
    help = "Rotate the field-encryption data key and re-encrypt stored values (a resumable job)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rotate", "reencrypt", "status"])
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, what, batch, **options):
        if what == "rotate":
            self.stdout.write(f"new data key id {crypto.rotate_data_key()}; old keys kept for old rows")
        if what in ("rotate", "reencrypt"):
            job = enqueue(REENCRYPT_KIND, {"batch": batch})
            self.stdout.write(f"queued re-encryption job {job.pk}; `yigongti worker` runs it")
            return
        from yigongti.people import models

        for name, fields in REENCRYPT_FIELDS.items():
            old = 0
            for row in getattr(models, name).objects.values_list(*fields).iterator(chunk_size=2000):
                old += any(crypto.needs_reencryption(v) for v in row)
            self.stdout.write(f"{name}: {old} row(s) under an old key or cipher")
