from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChronicConfig(AppConfig):
    """慢病与公共卫生项目 (the programme engine)"""

    name = "yigongti.chronic"
    label = "chronic"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti import events
        from yigongti.org.scoping import register_relationship_provider
        from yigongti.people import keypops, services

        from . import handlers, programmes, queries
        from .actions_screening import on_vitals_recorded

        events.subscribe(events.VitalsRecorded, on_vitals_recorded, app="chronic")
        events.subscribe(events.ResidentDied, handlers.on_resident_died, app="chronic")
        events.subscribe(events.ResidentMovedAway, handlers.on_resident_moved_away, app="chronic")
        events.subscribe(events.ResidentsMerged, handlers.on_residents_merged, app="chronic")
        events.subscribe(events.ResidentsUnmerged, handlers.on_residents_unmerged, app="chronic")
        register_relationship_provider("chronic", queries.chronic_relationship)
        for prog in programmes.all_programmes():
            keypops.register_programme(prog.code, prog.label, queries.members_of(prog.code), sensitive=prog.sensitive)
            services.register_kind(prog.service_code, prog.service_label, app="chronic")
        services.register_kind(queries.FOLLOWUP_PHONE, _("电话随访"), app="chronic")
        services.register_kind(queries.HOME_VISIT, _("入户随访"), app="chronic")
        services.register_kind(queries.FASTING_GLUCOSE_TEST, _("空腹血糖检测"), app="chronic")
        services.register_source("chronic", queries.services_source)
        from .importing import register_kinds

        register_kinds()
