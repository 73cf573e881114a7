"""The demo-county generator framework (design: "Scale").

Each app contributes its part of the synthetic county in ``<app>/demo.py``:

    PARTS = [DemoPart(name="org.structure", order=10, build=build_structure, bulk=None)]

``build(ctx)`` makes the part for the ``tiny`` and ``demo`` scales through the app's real actions;
``bulk(ctx)`` (optional) loads large scales (``--residents N``) with bulk inserts. Parts run in
``order``; a part reads what earlier parts made from ``ctx.made``. Everything is deterministic for a
given seed: parts draw only from ``ctx.rng(name)``, never from the global random module or the clock.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yigongti.discovery import app_modules

SCALES = {
    # residents per village, townships beyond Xiangtang and its sub-centres, villages per extra township
    "tiny": {"residents_per_village": 6, "extra_townships": 0, "villages_per_township": 2, "full_xiangtang": False},
    "demo": {"residents_per_village": 320, "extra_townships": 2, "villages_per_township": 6, "full_xiangtang": True},
}


@dataclass
class DemoContext:
    scale: str
    seed: int
    residents: int | None = None  # --residents N: the bulk path
    today: dt.date = field(default_factory=lambda: dt.date(2026, 11, 1))
    made: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] = print

    @property
    def params(self) -> dict:
        return SCALES.get(self.scale, SCALES["demo"])

    @property
    def bulk(self) -> bool:
        return self.residents is not None

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part, so adding a part never changes another part's data."""
        return random.Random(f"{self.seed}:{part}")


@dataclass(frozen=True)
class DemoPart:
    name: str
    order: int
    build: Callable[[DemoContext], None]
    bulk: Callable[[DemoContext], None] | None = None


def parts() -> list[DemoPart]:
    found: list[DemoPart] = []
    for _config, module in app_modules("demo", exclude=("yigongti.demo",)):
        found.extend(getattr(module, "PARTS", []))
    return sorted(found, key=lambda p: (p.order, p.name))


def generate(ctx: DemoContext) -> DemoContext:
    for part in parts():
        runner = part.bulk if (ctx.bulk and part.bulk) else part.build
        ctx.log(f"  · {part.name}")
        runner(ctx)
    return ctx
