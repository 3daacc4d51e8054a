"""The local server tests' helpers (bundles built by hand, a plain-HTTP client, snapshots of every
file a server wrote), for the reliability tests in this folder."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "localserver"))

from localserver_helpers import (Client, changes, manifest, notebook_bundle, snapshot, static_bundle,  # noqa: E402
                                 tar_bytes)

__all__ = ["Client", "manifest", "notebook_bundle", "static_bundle", "tar_bytes", "snapshot", "changes"]
