"""The CLI's view of a publish's byte progress (building and uploading the bundle), on stderr.

On a terminal, a tqdm bar per phase (bytes, rate, time left); when stderr is piped, a line at
25, 50, 75 and 100 % (a log file wants a few lines, not a redrawn bar); with -q, nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ..progress import BUILD, UPLOAD, ProgressCallback, ProgressUpdate, human_bytes

LABELS = {BUILD: "Building bundle", UPLOAD: "Uploading bundle"}
MARKS = (25, 50, 75, 100)


class BarProgress:
    """A tqdm bar for each phase, closed (and left on screen) when the phase ends."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.phase: str | None = None
        self.bar: Any = None  # a tqdm bar (imported when the first phase starts)
        self.shown = 0

    def __call__(self, update: ProgressUpdate) -> None:
        if update.phase != self.phase or self.bar is None:
            self._close()
            if not update.total or update.done:  # nothing to show, or the end of a phase already closed
                return
            from tqdm import tqdm  # here: only deploys that reach the upload need it

            self.phase = update.phase
            self.bar = tqdm(
                total=update.total,
                desc=LABELS.get(update.phase, update.phase),
                unit="B",
                unit_scale=True,
                unit_divisor=1000,
                file=self.stream,
                leave=True,
                dynamic_ncols=True,
            )
            self.shown = 0
        self.bar.update(update.done - self.shown)
        self.shown = update.done
        if update.finished:
            self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None
        self.phase = None


class LineProgress:
    """Plain lines at a few marks: "Uploading bundle: 25% (256 MB of 1.0 GB)"."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.phase: str | None = None
        self.started = 0.0
        self.next_mark = 0

    def __call__(self, update: ProgressUpdate) -> None:
        if update.phase != self.phase or (update.done == 0 and self.next_mark >= len(MARKS)):
            self.phase, self.started, self.next_mark = update.phase, time.monotonic(), 0
        if not update.total or self.next_mark >= len(MARKS):
            return
        percent = 100 * update.done // update.total
        if percent < MARKS[self.next_mark]:
            return
        while self.next_mark < len(MARKS) and MARKS[self.next_mark] <= percent:
            self.next_mark += 1
        line = "%s: %d%% (%s of %s)" % (
            LABELS.get(update.phase, update.phase),
            percent,
            human_bytes(update.done),
            human_bytes(update.total),
        )
        if update.finished:
            seconds = max(time.monotonic() - self.started, 1e-3)
            line += " in %.1f s, %s/s" % (seconds, human_bytes(update.total / seconds))
        self.stream.write(line + "\n")
        self.stream.flush()


def for_stderr(quiet: bool) -> ProgressCallback | None:
    """The progress callback for a deploy: none with -q, a bar on a terminal, else plain lines."""
    if quiet:
        return None
    stream = sys.stderr
    return BarProgress(stream) if stream.isatty() else LineProgress(stream)
