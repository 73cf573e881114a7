import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yigongti.demo.registry import SCALES, DemoContext, generate
from yigongti.org.models import Institution


class Command(BaseCommand):
    help = "Build the synthetic demo county: --scale tiny|demo, --seed N, or --residents N (bulk)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--residents", type=int, default=None,
                            help="bulk-load about N residents with two years of activity (benchmarks)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")

    def handle(self, *args, scale: str, seed: int, residents: int | None, if_empty: bool, **options):
        if Institution.objects.exists():
            if if_empty:
                self.stdout.write("database already has a county; demo data left as it is")
                return
            raise CommandError("the database already has a county; use a fresh database")
        started = time.monotonic()
        ctx = DemoContext(scale=scale if residents is None else "demo", seed=seed, residents=residents,
                          log=lambda line: self.stdout.write(line))
        self.stdout.write(f"building the demo county (scale={ctx.scale}, seed={seed}"
                          + (f", residents={residents}" if residents else "") + ")")
        if residents is None:
            with transaction.atomic(durable=True):
                generate(ctx)
        else:
            generate(ctx)  # bulk parts manage their own transactions (COPY / one transaction per chunk)
        self.stdout.write(f"done in {time.monotonic() - started:.1f}s")
