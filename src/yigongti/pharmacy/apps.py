from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    """药械统一 (drugs and supplies)"""

    name = "yigongti.pharmacy"
    label = "pharmacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti import events
        from yigongti.people.actions import register_drug_cost_owner

        from . import actions

        register_drug_cost_owner(actions.dispensing_owns_drug_cost)
        # docs/architecture.md, the event table: merges re-point prescriptions and missing-drug registrations
        # (an undo puts them back).
        events.subscribe(events.ResidentsMerged, actions.on_residents_merged, app="pharmacy")
        events.subscribe(events.ResidentsUnmerged, actions.on_residents_unmerged, app="pharmacy")
