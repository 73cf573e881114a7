"""The consortium's shape as the indicators cut it: institutions with their tier and township, townships,
areas. Small (hundreds of rows), read once per request."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Area, AreaLevel, Institution
from yigongti.rules.indicators import PRIMARY_TIERS, Cut

from .catalog import TIER_LABELS


@dataclass(frozen=True)
class Inst:
    id: int
    name: str
    short_name: str
    tier: str
    kind: str
    township_id: int | None
    area_path: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Shape:
    institutions: dict[int, Inst]
    townships: dict[int, tuple[str, str]]  # id -> (name, path)
    areas: dict[int, tuple[str, str, str]]  # id -> (name, path, level)

    def institution_ids(self, cut: Cut) -> set[int] | None:
        """The institutions a cut covers (None: all). A township covers its township centre and the village
        clinics in it (township and village tiers located in the township's subtree)."""
        if cut.level == "county":
            return None
        if cut.level == "tier":
            return {i.id for i in self.institutions.values() if i.tier == cut.key}
        if cut.level == "institution":
            return {int(cut.key)} if int(cut.key) in self.institutions else set()
        if cut.level == "township":
            return {i.id for i in self.institutions.values()
                    if i.township_id == int(cut.key) and i.tier in PRIMARY_TIERS}
        return set()

    def area_ids(self, cut: Cut) -> set[int] | None:
        """The areas (residence) a cut covers: the subtree of the township or area (None: all)."""
        if cut.level == "county":
            return None
        if cut.level in ("township", "area"):
            root = self.areas.get(int(cut.key))
            if root is None:
                return set()
            return {aid for aid, (_n, path, _l) in self.areas.items() if path.startswith(root[1])}
        return set()

    def cut_label(self, cut: Cut) -> str:
        if cut.level == "county":
            return str(_("全县"))
        if cut.level == "tier":
            return str(TIER_LABELS.get(cut.key, cut.key))
        if cut.level == "institution":
            inst = self.institutions.get(int(cut.key))
            return inst.label if inst else cut.key
        if cut.level in ("township", "area"):
            area = self.areas.get(int(cut.key))
            return area[0] if area else cut.key
        return cut.code

    def cuts(self, level: str) -> list[Cut]:
        """Every cut of a level, in display order."""
        if level == "county":
            return [Cut()]
        if level == "tier":
            return [Cut("tier", t) for t in ("county", "township", "village")]
        if level == "institution":
            return [Cut("institution", str(i.id)) for i in self.institutions.values()]
        if level == "township":
            return [Cut("township", str(t)) for t in self.townships]
        return []


def shape() -> Shape:
    areas = {a["id"]: (a["name"], a["path"], a["level"])
             for a in Area.objects.values("id", "name", "path", "level").order_by("path")}
    by_path = {path: aid for aid, (_n, path, _l) in areas.items()}
    townships = {aid: (name, path) for aid, (name, path, level) in areas.items() if level == AreaLevel.TOWNSHIP}

    def township_of(path: str) -> int | None:
        codes = [c for c in path.split("/") if c]
        for n in range(len(codes), 0, -1):
            aid = by_path.get("/".join(codes[:n]) + "/")
            if aid in townships:
                return aid
        return None

    institutions = {}
    for row in Institution.objects.filter(active=True).values(
            "id", "name", "short_name", "tier", "kind", "area__path").order_by("tier", "code"):
        institutions[row["id"]] = Inst(row["id"], row["name"], row["short_name"], row["tier"], row["kind"],
                                       township_of(row["area__path"] or ""), row["area__path"] or "")
    return Shape(institutions, townships, areas)
