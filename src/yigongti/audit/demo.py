"""The demo county runs with the sealed audit chain on: the nightly seal and the login-history purge are
queued (the worker `make demo` starts runs them), and the chains of days already closed are sealed now."""
from yigongti.demo.registry import DemoContext, DemoPart


def build(ctx: DemoContext) -> None:
    from . import chain
    from .schedule import ensure_scheduled

    sealed = chain.seal_closed_days()
    queued = ensure_scheduled()
    ctx.log(f"    audit: {sealed} closed day chain(s) sealed, periodic jobs queued: {', '.join(queued) or '-'}")


# before kpi.rebuild (900), which stays the last part
PARTS = [DemoPart(name="audit.schedule", order=895, build=build, bulk=build)]
