"""The database's git-backed content: where each item's repository is, whether it is polled, the
last commit deployed from it, and the last fetch's error; and which commit each bundle came from.

Its tables are created here (`create_repository_tables`, run when the database opens)."""

from __future__ import annotations

import sqlite3
from typing import TypedDict, cast

from .db_schema import Connection, now

REPOSITORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS repositories (
    content_guid TEXT PRIMARY KEY,       -- one repository per content item
    repository TEXT NOT NULL,            -- the URL, as given
    branch TEXT NOT NULL,
    directory TEXT NOT NULL,             -- the folder that holds manifest.json; "." for the top
    polling INTEGER NOT NULL DEFAULT 0,  -- fetched again every --repository-poll seconds
    last_known_commit TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS repository_bundles (
    bundle_id INTEGER PRIMARY KEY,       -- a bundle made from a repository
    repository TEXT NOT NULL,
    branch TEXT NOT NULL,
    commit_sha TEXT NOT NULL
);
"""


class RepositoryRow(TypedDict):
    content_guid: str
    repository: str
    branch: str
    directory: str
    polling: int
    last_known_commit: str
    last_error: str
    created_time: str


class BundleSourceRow(TypedDict):
    bundle_id: int
    repository: str
    branch: str
    commit_sha: str


def create_repository_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(REPOSITORY_SCHEMA)


class RepositoryQueries(Connection):
    def repository(self, guid: str) -> RepositoryRow | None:
        return cast("RepositoryRow | None", self.one("SELECT * FROM repositories WHERE content_guid = ?", (guid,)))

    def polled_repositories(self) -> list[RepositoryRow]:
        return cast("list[RepositoryRow]", self.query("SELECT * FROM repositories WHERE polling = 1"))

    def save_repository(
        self, guid: str, repository: str, branch: str, directory: str, polling: bool, commit: str
    ) -> None:
        """Set (or replace) the content's repository after a fetch from it succeeded."""
        self.execute(
            "INSERT INTO repositories (content_guid, repository, branch, directory, polling, last_known_commit,"
            " last_error, created_time) VALUES (?, ?, ?, ?, ?, ?, '', ?)"
            " ON CONFLICT (content_guid) DO UPDATE SET repository = excluded.repository,"
            " branch = excluded.branch, directory = excluded.directory, polling = excluded.polling,"
            " last_known_commit = excluded.last_known_commit, last_error = ''",
            (guid, repository, branch, directory, int(polling), commit, now()),
        )

    def set_polling(self, guid: str, polling: bool) -> None:
        self.execute("UPDATE repositories SET polling = ? WHERE content_guid = ?", (int(polling), guid))

    def repository_checked(self, guid: str, commit: str | None, error: str) -> None:
        """After a poll: the commit now deployed (None: unchanged) and the error ('' when it worked)."""
        if commit is None:
            self.execute("UPDATE repositories SET last_error = ? WHERE content_guid = ?", (error, guid))
        else:
            self.execute(
                "UPDATE repositories SET last_known_commit = ?, last_error = ? WHERE content_guid = ?",
                (commit, error, guid),
            )

    def delete_repository(self, guid: str) -> None:
        self.execute("DELETE FROM repositories WHERE content_guid = ?", (guid,))

    def task_running(self, guid: str) -> bool:
        """Whether a task of the content (a deploy, a run) has not finished: a poll waits for it."""
        return self.one("SELECT 1 AS x FROM tasks WHERE content_guid = ? AND finished = 0", (guid,)) is not None

    def add_bundle_source(self, bundle_id: int, repository: str, branch: str, commit: str) -> None:
        self.execute(
            "INSERT OR REPLACE INTO repository_bundles (bundle_id, repository, branch, commit_sha) VALUES (?, ?, ?, ?)",
            (bundle_id, repository, branch, commit),
        )

    def bundle_source(self, bundle_id: int | str) -> BundleSourceRow | None:
        return cast(
            "BundleSourceRow | None", self.one("SELECT * FROM repository_bundles WHERE bundle_id = ?", (bundle_id,))
        )
