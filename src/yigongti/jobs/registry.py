"""Job kinds. An app declares ``@job_handler("people.import")`` in its ``jobs.py``; the worker imports
every installed app's ``jobs`` module at start."""
from __future__ import annotations

from collections.abc import Callable

from yigongti.discovery import app_modules

JobFunc = Callable[..., dict | None]
_handlers: dict[str, JobFunc] = {}


def job_handler(kind: str) -> Callable[[JobFunc], JobFunc]:
    def register(func: JobFunc) -> JobFunc:
        _handlers[kind] = func
        return func

    return register


def handler_for(kind: str) -> JobFunc:
    if kind not in _handlers:
        autodiscover()
    return _handlers[kind]


def kinds() -> list[str]:
    autodiscover()
    return sorted(_handlers)


def autodiscover() -> None:
    for _ in app_modules("jobs"):
        pass  # importing the module registers its @job_handler functions
