from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """居民健康档案 (resident record)"""

    name = "yigongti.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # people re-points its own references when records are merged, and puts them back on undo
        # (docs/architecture.md, the event table).
        from yigongti import events
        from yigongti.org.scoping import register_relationship_provider

        from . import actions, measurements, queries, services, timeline

        events.subscribe(events.ResidentsMerged, actions.on_residents_merged, app="people")
        events.subscribe(events.ResidentsUnmerged, actions.on_residents_unmerged, app="people")
        # Standalone measurements (people/measurements.py) follow a merge too, and show on the timeline.
        events.subscribe(events.ResidentsMerged, measurements.on_residents_merged, app="people")
        events.subscribe(events.ResidentsUnmerged, measurements.on_residents_unmerged, app="people")
        timeline.register(measurements.timeline_entries)
        # An encounter at the user's institution is a care relationship (design: Access).
        register_relationship_provider("encounter", queries.encounter_relationship)
        # Services counted at query time by contracts and work points (people/services.py).
        services.register_people_services()
