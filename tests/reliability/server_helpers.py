"""What the reliability tests of the local server share: the local server tests' helpers (bundles
built by hand, a plain-HTTP client) and a way to see every file a server wrote."""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "localserver"))

from localserver_helpers import Client, manifest, notebook_bundle, static_bundle, tar_bytes  # noqa: E402

__all__ = ["Client", "manifest", "notebook_bundle", "static_bundle", "tar_bytes", "snapshot", "changes"]


def snapshot(root):
    """{relative path: md5 of the file, or "dir" / "link -> target"} for everything under root."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                found[rel] = "link -> " + os.readlink(path)
            elif os.path.isdir(path):
                found[rel] = "dir"
            else:
                with open(path, "rb") as f:
                    found[rel] = hashlib.md5(f.read()).hexdigest()
    return found


def changes(before, after):
    """The paths added, removed or changed between two snapshots."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
