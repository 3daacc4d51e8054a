"""Where things live under the data folder.

DATA/connect.db                       state (SQLite, WAL)
DATA/admin-api-key                    the first administrator's key (0600)
DATA/content/GUID/bundles/ID.tar.gz   uploaded bundles, as received
DATA/content/GUID/bundles/ID/         a deployed bundle, extracted (and rendered)
DATA/content/GUID/uploads/            uploads in progress
DATA/environments/KEY/                Python environments, shared by all content
"""

from __future__ import annotations

import os
import shutil


class Layout:
    def __init__(
        self, data_dir: str | os.PathLike[str], environments_dir: str | os.PathLike[str] | None = None
    ) -> None:
        self.data_dir = os.path.abspath(data_dir)
        self.environments = os.path.abspath(environments_dir or os.path.join(self.data_dir, "environments"))

    @property
    def database(self) -> str:
        return os.path.join(self.data_dir, "connect.db")

    @property
    def secret_file(self) -> str:
        """The server's secret (signs session cookies and CSRF tokens); 0600."""
        return os.path.join(self.data_dir, "secret")

    @property
    def admin_password_file(self) -> str:
        return os.path.join(self.data_dir, "admin-password")

    @property
    def admin_key_file(self) -> str:
        return os.path.join(self.data_dir, "admin-api-key")

    def content_dir(self, guid: str) -> str:
        return os.path.join(self.data_dir, "content", guid)

    def uploads_dir(self, guid: str) -> str:
        return os.path.join(self.content_dir(guid), "uploads")

    def bundle_archive(self, guid: str, bundle_id: int | str) -> str:
        return os.path.join(self.content_dir(guid), "bundles", "%s.tar.gz" % bundle_id)

    def bundle_dir(self, guid: str, bundle_id: int | str) -> str:
        return os.path.join(self.content_dir(guid), "bundles", str(bundle_id))

    def bundle_unpacked(self, guid: str, bundle_id: int | str) -> str:
        """The archive as the upload unpacked it, until its first deploy takes it (intake.py)."""
        return os.path.join(self.content_dir(guid), "bundles", "%s.unpacked" % bundle_id)

    def clean_leftovers(self) -> None:
        """Remove half-done work of a previous run: uploads, extractions, environment builds."""
        content_root = os.path.join(self.data_dir, "content")
        for guid in os.listdir(content_root) if os.path.isdir(content_root) else ():
            shutil.rmtree(self.uploads_dir(guid), ignore_errors=True)
            bundles = os.path.join(content_root, guid, "bundles")
            for name in os.listdir(bundles) if os.path.isdir(bundles) else ():
                if ".new-" in name:
                    shutil.rmtree(os.path.join(bundles, name), ignore_errors=True)
        from .environments import clean_leftovers

        clean_leftovers(self.environments)
