"""ConnectClient: the HTTP contract of Posit Connect (docs/connect-api.md), one class
composed of its resources (one module each) over one Session."""

from __future__ import annotations

from .bundles import BundlesAPI
from .content import ContentAPI
from .environment import EnvironmentAPI
from .repository import RepositoryAPI
from .schedules import SchedulesAPI
from .server import ServerAPI
from .sharing import SharingAPI
from .tasks import TasksAPI


class ConnectClient(
    ServerAPI, ContentAPI, BundlesAPI, TasksAPI, EnvironmentAPI, SharingAPI, SchedulesAPI, RepositoryAPI
):
    """A Connect server seen through one user's API key."""
