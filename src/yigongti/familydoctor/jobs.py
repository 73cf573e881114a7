"""Jobs of the family-doctor app (run by `yigongti worker`): the year-end bulk renewal of a team's contracts."""
import datetime as dt

from yigongti.jobs.registry import job_handler

from . import actions

CHUNK = 200


@job_handler(actions.BULK_RENEW_JOB)
def bulk_renew(job, team_id: int, ending_by: str, after_id: int = 0, renewed: int = 0, refused=None, **_):
    """Renew one chunk of the team's expiring contracts on behalf of whoever queued the job, then queue the
    next chunk; the result lists every refused contract with its reason."""
    from yigongti.jobs.queue import enqueue, set_progress

    from .models import Team

    team = Team.objects.get(pk=team_id)
    out = actions.bulk_renew(job.created_by, team, ending_by=dt.date.fromisoformat(ending_by), after_id=after_id,
                             limit=CHUNK)
    renewed += out["renewed"]
    refused = list(refused or []) + [list(r) for r in out["refused"]]
    result = {"team_id": team_id, "ending_by": ending_by, "renewed": renewed, "refused": refused,
              "done": not out["more"]}
    set_progress(job, renewed=renewed, refused=len(refused))
    if out["more"]:
        enqueue(actions.BULK_RENEW_JOB, {**result, "after_id": out["last_id"]}, created_by=job.created_by)
    return result
