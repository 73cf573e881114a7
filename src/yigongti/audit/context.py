"""The acting context of the audit log, held in a context variable for the current request or job."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class AuditContext:
    user_id: int | None = None
    username: str = ""
    client_address: str = ""
    channel: str = "web"  # web | api | fhir | job | command
    request_id: str = ""
    batch_reads: bool = False  # a request: read entries are collected and written in one INSERT at its end
    pending: list = field(default_factory=list)


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("yigongti_audit", default=None)


def current() -> AuditContext:
    ctx = _current.get()
    return ctx if ctx is not None else AuditContext(channel="command")


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@contextmanager
def bind(ctx: AuditContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def bind_request(request):
    path = request.path_info or ""
    channel = "api" if path.startswith("/api/") else "fhir" if path.startswith("/fhir/") else "web"
    ctx = AuditContext(client_address=client_address(request), channel=channel, batch_reads=True)
    with bind(ctx):
        try:
            yield ctx
        finally:
            flush(ctx)


def flush(ctx: AuditContext) -> None:
    """Write the read entries collected during a request: one INSERT (outside the request's transactions, so
    a read is recorded even when the request's writes roll back)."""
    if not ctx.pending:
        return
    from .chain import write_many

    entries, ctx.pending = ctx.pending, []
    write_many(entries)
