import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the production server (gunicorn) with static files served by whitenoise."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("YIGONGTI_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("YIGONGTI_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("YIGONGTI_THREADS", "4")))
        parser.add_argument("--announce", action="store_true", help="print the URL and the demo accounts")

    def handle(self, *args, bind: str, workers: int, threads: int, announce: bool, **options):
        if announce:
            from yigongti.demo.accounts import announce as print_accounts

            host, _, port = bind.rpartition(":")
            print_accounts(self.stdout, f"http://{host or '127.0.0.1'}:{port}/")
        argv = [
            sys.executable, "-m", "gunicorn", "yigongti.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20",
        ]
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
