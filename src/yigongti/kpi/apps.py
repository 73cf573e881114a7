from django.apps import AppConfig


class KpiConfig(AppConfig):
    """指标 (indicators)"""

    name = "yigongti.kpi"
    label = "kpi"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Live rollups: kpi reacts to the lower apps' events (docs/architecture.md, the event table).
        from yigongti import events

        from . import encounters, residents

        events.subscribe(events.EncounterChanged, encounters.on_encounter_changed, app="kpi")
        # Attribution ledger: where each resident lived when (a resident counts for their area at period end).
        events.subscribe(events.ResidentRegistered, residents.on_resident_registered, app="kpi")
        events.subscribe(events.ResidentChanged, residents.on_resident_changed, app="kpi")
        events.subscribe(events.ResidentDied, residents.on_resident_died, app="kpi")
        events.subscribe(events.ResidentMovedAway, residents.on_resident_moved_away, app="kpi")
        events.subscribe(events.ResidentsMerged, residents.on_residents_merged, app="kpi")
        events.subscribe(events.ResidentsUnmerged, residents.on_residents_unmerged, app="kpi")
