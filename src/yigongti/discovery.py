"""How an app plugs in without editing shared files: ``<app>.<hook>`` modules (api, nav, landing, demo,
jobs, indicators — docs/architecture.md "Discovery hooks"), found by one function."""
from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(hook: str, *, exclude: tuple[str, ...] = ()) -> Iterator[tuple[AppConfig, ModuleType]]:
    """(app config, module) for every installed yigongti app that has a ``<app>.<hook>`` module, in
    INSTALLED_APPS order. An import error inside such a module is raised, not hidden."""
    for config in apps.get_app_configs():
        if not config.name.startswith("yigongti.") or config.name in exclude:
            continue
        name = f"{config.name}.{hook}"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        yield config, module
