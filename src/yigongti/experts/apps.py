from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    """专家下沉"""

    name = "yigongti.experts"
    label = "experts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti import events
        from yigongti.org.scoping import register_relationship_provider
        from yigongti.people import timeline

        from . import actions, queries
        from .timeline import expert_entries

        # A booking in my session (or at my institution) and a consultation I was asked for are care
        # relationships (design: Access): the specialist sees the booked resident's record.
        register_relationship_provider("expert_booking", queries.booking_relationship)
        register_relationship_provider("consultation", queries.consultation_relationship)
        # Bookings and consultation answers show on the shared record.
        timeline.register(expert_entries)
        # docs/architecture.md, the event table: deaths cancel future bookings and open consultation requests;
        # merges re-point bookings and consultations (an undo puts them back).
        events.subscribe(events.ResidentDied, actions.on_resident_died, app="experts")
        events.subscribe(events.ResidentsMerged, actions.on_residents_merged, app="experts")
        events.subscribe(events.ResidentsUnmerged, actions.on_residents_unmerged, app="experts")
