"""A content item's jobs and their logs, as Connect has them (jobs.py says what a job is here).

GET    v1/content/{guid}/jobs                  the jobs, newest first (query arguments are ignored:
                                               posit-sdk-py's find_by sends its conditions, and filters)
GET    v1/content/{guid}/jobs/{key}            one job
GET    v1/content/{guid}/jobs/{key}/log        {"entries": [{"source", "timestamp", "data"}]};
                                               maxLogLines (at most 5000, the default) keeps the last lines
DELETE v1/content/{guid}/jobs/{key}            stop a running app process (owner, collaborators,
                                               administrators); a job that is not running: 409
Reading needs the right to read the content through the API, as every content route.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .. import errors, jobs
from .base import BaseHandler

# Connect's code for a job that cannot be stopped ("The specified job cannot be terminated because
# it is not active").
JOB_NOT_ACTIVE = 163


def not_stoppable(sentence: str) -> errors.ConnectError:
    """409: the job is not running, or is a deploy (which the server cannot stop half-way)."""
    return errors.ConnectError(409, JOB_NOT_ACTIVE, sentence)


class JobsHandler(BaseHandler):
    def get(self, guid: str) -> None:
        self.content_for(self.user(), guid, change=True)  # logs: owner, collaborators, admins (as Connect)
        self.send_json([job.json() for job in jobs.list_jobs(self.state, guid)])


class _OneJob(BaseHandler):
    def job(self, guid: str, key: str) -> jobs.Job:
        """The job, once the caller may change the content: Connect shows jobs and their logs to the
        owner, collaborators and administrators, not to viewers."""
        self.content_for(self.user(), guid, change=True)
        job = jobs.find_job(self.state, guid, key)
        if job is None:
            raise errors.not_found("Job %s of content %s" % (key, guid))
        return job


class JobHandler(_OneJob):
    def get(self, guid: str, key: str) -> None:
        self.send_json(self.job(guid, key).json())

    async def delete(self, guid: str, key: str) -> None:
        job = self.job(guid, key)
        if not job.active:
            raise not_stoppable("The job %s is not running: there is nothing to stop." % key)
        if job.kind != "app":
            raise not_stoppable(
                "The job %s is a deploy, which the local server cannot stop half-way: wait for it to finish." % key
            )
        await asyncio.get_running_loop().run_in_executor(None, jobs.stop_job, self.state, job)
        answer: dict[str, Any] = {
            "app_id": job.content_id,
            "app_guid": guid,
            "job_id": job.number,
            "job_key": key,
            "result": "Order to kill job registered",
        }
        self.send_json(answer)


class JobLogHandler(_OneJob):
    async def get(self, guid: str, key: str) -> None:
        job = self.job(guid, key)
        text = self.get_argument("maxLogLines", "") or str(jobs.MAX_LOG_LINES)
        if not text.isdigit() or int(text) < 1:
            raise errors.invalid_value(
                "maxLogLines must be a whole number of lines, 1 to %d (the default)." % jobs.MAX_LOG_LINES
            )
        limit = min(int(text), jobs.MAX_LOG_LINES)
        entries = await asyncio.get_running_loop().run_in_executor(None, jobs.log_of, self.state, job, limit)
        self.send_json({"entries": [e.json() for e in entries]})
