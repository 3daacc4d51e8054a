"""`GET v1/content/{guid}/lockfile`: the packages of the environment the live bundle runs in, as a
requirements.txt-style lock (what `rsconnect content get-lockfile` and `content venv` read)."""

from __future__ import annotations

import asyncio

from .. import environments, errors
from .base import BaseHandler


class LockfileHandler(BaseHandler):
    async def get(self, guid: str) -> None:
        user = self.user()
        content = self.content_for(user, guid, change=True)  # as the bundle download: collaborators
        if not content["bundle_id"]:
            raise errors.not_found("A lockfile of content %s (it was never deployed)" % guid)
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(None, self.state.runner.environment_of, guid, str(content["bundle_id"]))
        if found is None:
            raise errors.not_found(
                "A lockfile of content %s (static content has no Python environment; for other content, "
                "deploy it again to build its environment)" % guid
            )
        venv, python = found
        try:
            packages = await loop.run_in_executor(None, environments.freeze, venv)
        except (environments.EnvironmentError_, OSError) as e:
            raise errors.ConnectError(500, errors.INTERNAL, str(e)) from None
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        # Connect names the Python the lock was made with here; clients read what follows "python=".
        self.set_header("Generated-By", "rsconnect-jupyter local server; python=%s" % python)
        self.finish(
            "# requirements.txt.lock of content %s, bundle %s (Python %s)\n%s"
            % (guid, content["bundle_id"], python, packages)
        )
