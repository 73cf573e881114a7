"""Jobs of the people app (run by `yigongti worker`)."""
from yigongti.jobs.registry import job_handler

from . import importing


@job_handler(importing.JOB_KIND)
def run_import(job, **payload):
    """One step of an upload: read the file, or import one chunk of rows and queue the next."""
    return importing.run_job(job, **payload)
