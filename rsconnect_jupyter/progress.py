"""Byte progress of the long steps of a publish: building the bundle and uploading it.

The core only reports (a `ProgressCallback` receives `ProgressUpdate`s); it never draws. The CLI
turns the updates into a tqdm bar on a terminal or a few plain lines when piped
(commands/progress.py); the Jupyter jobs keep the latest one for the dialogs to poll.
"""

from dataclasses import dataclass
from typing import BinaryIO, Callable, Optional

BUILD = "build"  # bytes of the files read into the bundle, of the sum of their sizes
UPLOAD = "upload"  # bytes of the bundle sent, of its size
STEPS = 100  # at most this many updates per phase (one per percent), whatever the size


@dataclass(frozen=True)
class ProgressUpdate:
    phase: str  # BUILD or UPLOAD
    done: int  # bytes so far
    total: int  # bytes in all

    @property
    def finished(self) -> bool:
        return self.done >= self.total


ProgressCallback = Callable[[ProgressUpdate], None]


def human_bytes(n: float) -> str:
    """1234567 -> "1.2 MB": decimal units, everywhere a size is shown (the CLI's progress, the local
    server's pages; the dialogs' humanBytes in nbextension/versions.js and publish_dialog.js and
    labextension/src/dom.ts round the same way)."""
    unit = "B"
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            break
        n /= 1000.0
    if unit == "B":
        return "%d B" % round(n)
    return ("%.0f %s" if n >= 100 else "%.1f %s") % (n, unit)


class Meter:
    """Counts the bytes of one phase and reports them: at the start, at each percent, at the end.

    Reporting every chunk would mean 65,000 updates for a 1 GB upload (urllib3 sends 16 KiB at a
    time); a percent is as fine as any bar or dialog can show.
    """

    def __init__(self, callback: Optional[ProgressCallback], phase: str, total: int) -> None:
        self.callback = callback
        self.phase = phase
        self.total = max(0, int(total))
        self.done = 0
        self._step = max(1, self.total // STEPS)
        self._next = 0

    def start(self) -> None:
        self._report()
        self._next = self._step

    def add(self, n: int) -> None:
        self.done = min(self.total, self.done + n)
        if self.done >= self._next and self.done < self.total:
            self._report()
            self._next = (self.done // self._step + 1) * self._step

    def finish(self) -> None:
        self.done = self.total
        self._report()

    def _report(self) -> None:
        if self.callback is not None:
            self.callback(ProgressUpdate(self.phase, self.done, self.total))


class CountingReader:
    """A file for requests to upload that reports the bytes read from it.

    requests sends a file-like body in blocks (never reading it whole) and takes its length from
    `__len__`, so the upload keeps a Content-Length and streams from disk.
    """

    def __init__(self, fileobj: BinaryIO, meter: Meter, length: int) -> None:
        self.fileobj = fileobj
        self.meter = meter
        self.length = length  # what is left to read from the file's position

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        chunk = self.fileobj.read(size)
        if chunk:
            self.meter.add(len(chunk))
        return chunk
