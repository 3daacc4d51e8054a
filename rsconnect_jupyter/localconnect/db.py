"""The local server's state: SQLite (WAL) in DATA_DIR/connect.db, as one `Database` object.

The file, its tables and the connection are in db_schema.py; the queries, one module per resource
as posit-sdk-py has them: db_users.py (users, keys, passwords, sessions), db_content.py (content,
permissions, environment variables), db_bundles.py (bundles, tasks), db_tags.py (vanity paths, tags),
db_oauth.py (OAuth clients, codes, grants and tokens), db_schedules.py (schedules, runs, mail),
db_repositories.py (git-backed content).
db_visits.py (visits to content, for usage metrics).
"""

from __future__ import annotations

import os

from .db_bundles import BundleQueries
from .db_content import ContentQueries
from .db_oauth import OAuthQueries
from .db_repositories import RepositoryQueries, create_repository_tables
from .db_schedules import ScheduleQueries, create_schedule_tables
from .db_tags import TagQueries
from .db_users import UserQueries
from .db_visits import VisitQueries, create_visit_tables


class Database(
    UserQueries,
    ContentQueries,
    BundleQueries,
    TagQueries,
    OAuthQueries,
    ScheduleQueries,
    RepositoryQueries,
    VisitQueries,
):
    """The database file's one connection, with every query of every resource."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        with self._lock:
            create_schedule_tables(self._conn)
            create_repository_tables(self._conn)
            create_visit_tables(self._conn)
