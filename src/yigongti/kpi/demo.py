"""The demo's last part: rebuild every indicator rollup from the data the earlier parts made (the bulk
loaders bypass the per-record actions and their events), so the dashboards show the demo county."""
from yigongti.demo.registry import DemoContext, DemoPart

from . import actions


def rebuild(ctx: DemoContext) -> None:
    from django.db import transaction

    with transaction.atomic():
        counts = actions.rebuild()
    ctx.log("    " + ", ".join(f"{name}: {count}" for name, count in counts.items()))


PARTS = [DemoPart(name="kpi.rebuild", order=900, build=rebuild, bulk=rebuild)]
