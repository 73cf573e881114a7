"""`yigongti audit verify|seal|export-seals|schedule`: the tamper-evident audit chain (issue 16); `schedule`
queues the periodic jobs (nightly seal, login-history purge) that have no pending run."""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from yigongti.audit import chain


def _day(value):
    return dt.date.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Verify, seal or export the audit log's hash chains (per institution per day)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify", "seal", "export-seals", "schedule"])
        parser.add_argument("--from", dest="day_from", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="day_to", help="last day (YYYY-MM-DD)")

    def handle(self, *args, what, day_from, day_to, **options):
        if what == "schedule":
            from yigongti.audit.schedule import ensure_scheduled

            queued = ensure_scheduled()
            self.stdout.write(f"queued: {', '.join(queued) or 'nothing (every periodic job has a pending run)'}")
        elif what == "seal":
            self.stdout.write(f"sealed {chain.seal_closed_days()} chain(s)")
        elif what == "export-seals":
            self.stdout.write(json.dumps(chain.export_seals(_day(day_from), _day(day_to)), ensure_ascii=False,
                                         indent=1))
        else:
            report = chain.verify(_day(day_from), _day(day_to))
            self.stdout.write(f"chains {report.chains}, entries {report.entries}, "
                              f"unchained (before the chain existed) {report.unchained}")
            for problem in report.problems:
                self.stdout.write(f"PROBLEM {problem}")
            if not report.ok:
                raise CommandError(f"audit chain verification failed: {len(report.problems)} problem(s)")
            self.stdout.write("audit chain OK")
