"""The local server tests' helpers (bundles built by hand, a plain-HTTP client, snapshots of every
file a server wrote), for the reliability tests in this folder."""

from tests.localserver.localserver_helpers import (
    Client,
    changes,
    manifest,
    notebook_bundle,
    snapshot,
    static_bundle,
    tar_bytes,
)

__all__ = ["Client", "manifest", "notebook_bundle", "static_bundle", "tar_bytes", "snapshot", "changes"]
