from django.apps import AppConfig


class FamilydoctorConfig(AppConfig):
    """家庭医生签约"""

    name = "yigongti.familydoctor"
    label = "familydoctor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti import events
        from yigongti.org.scoping import register_relationship_provider
        from yigongti.tasks.actions import register_group_resolver

        from . import actions, queries

        # To-dos addressed to ("team", id) reach the team's members; team members see their contracted residents.
        register_group_resolver("team", queries.team_members)
        register_relationship_provider("familydoctor", queries.contract_relationship)
        events.subscribe(events.ResidentDied, actions.on_resident_died, app="familydoctor")
        events.subscribe(events.ResidentMovedAway, actions.on_resident_moved_away, app="familydoctor")
        events.subscribe(events.ResidentsMerged, actions.on_residents_merged, app="familydoctor")
        events.subscribe(events.ResidentsUnmerged, actions.on_residents_unmerged, app="familydoctor")
        from .importing import register_kinds

        register_kinds()
