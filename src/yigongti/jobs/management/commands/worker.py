import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from yigongti.jobs.queue import run_pending, worker_name
from yigongti.jobs.registry import autodiscover


class Command(BaseCommand):
    help = "Run the job queue (后台任务): claim due jobs and run them, polling every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=2.0)
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")

    def handle(self, *args, interval: float, once: bool, **options):
        autodiscover()
        if not once:
            # A long-running worker keeps the nightly jobs (audit seal, login-history purge) queued.
            from yigongti.audit.schedule import ensure_scheduled

            ensure_scheduled()
        name = worker_name()
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {name} started")
        while not stopping:
            close_old_connections()
            ran = run_pending(name)
            if ran:
                self.stdout.write(f"ran {ran} job(s)")
            if once:
                break
            time.sleep(interval)
