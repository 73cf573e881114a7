from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    """共享诊断中心"""

    name = "yigongti.diagnostics"
    label = "diagnostics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from yigongti.org.scoping import register_relationship_provider
        from yigongti.people import timeline

        from . import queries
        from .timeline import diagnostic_entries

        # A reading requested from or by the user's institution is a care relationship (design: Access): the
        # centre sees the residents it reads for.
        register_relationship_provider("reading", queries.reading_relationship)
        # Published reports show on the shared record.
        timeline.register(diagnostic_entries)
