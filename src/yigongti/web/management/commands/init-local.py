import secrets

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local secret key (var/secret_key) and field-encryption keys if they are missing."

    requires_system_checks: list = []

    def handle(self, *args, **options):
        from django.conf import settings

        key_file = settings.VAR_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
            self.stdout.write(f"created {key_file}")
        try:
            from yigongti.people.crypto import ensure_local_keys
        except ImportError:
            return
        for created in ensure_local_keys():
            self.stdout.write(f"created {created}")
