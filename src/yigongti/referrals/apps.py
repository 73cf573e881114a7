from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """双向转诊"""

    name = "yigongti.referrals"
    label = "referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti import events
        from yigongti.org.scoping import register_relationship_provider
        from yigongti.people import timeline

        from . import actions, queries
        from .timeline import referral_entries

        # A referral to or from the user's institution is a care relationship (design: Access).
        register_relationship_provider("referral", queries.referral_relationship)
        # Referrals and their 回转单 show on the shared record.
        timeline.register(referral_entries)
        # docs/architecture.md, the event table: a death cancels open referrals and frees their beds; merges
        # re-point referrals and filings (and an undo puts them back).
        events.subscribe(events.ResidentDied, actions.on_resident_died, app="referrals")
        events.subscribe(events.ResidentsMerged, actions.on_residents_merged, app="referrals")
        events.subscribe(events.ResidentsUnmerged, actions.on_residents_unmerged, app="referrals")
