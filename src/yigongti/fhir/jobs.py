"""Jobs of the FHIR interface (run by `yigongti worker`)."""
from yigongti.jobs.registry import job_handler

from . import export


@job_handler(export.KIND)
def run_export(job, **payload):
    """A bulk $export: one NDJSON file per resource type of the requesting user's scope."""
    return export.run(job, **payload)
