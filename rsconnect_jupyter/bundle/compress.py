"""gzip for bundles: a member compressed by a few threads (`ParallelGzip`) and a stored one (`stored_gzip`).

Two gzip members one after the other are one valid gzip stream (RFC 1952), read as such by tar,
Python's gzip and Go's; writer.py relies on it to put manifest.json first (see there).
"""

from __future__ import annotations

import collections
import os
import struct
import zlib
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Union

if TYPE_CHECKING:
    from concurrent.futures import Future

GZIP_LEVEL = 6  # what `tar czf` (gzip's default) uses; tarfile's default of 9 is ~3x slower
COPY_CHUNK = 1 << 20
_STORED_BLOCK = 0xFFFF

Buffer = Union[bytes, bytearray, memoryview]


class Sink(Protocol):
    """Where the compressed bytes go: a file, or a list an upload drains (stream.py)."""

    def write(self, data: bytes, /) -> object: ...


def _gzip_header(mtime: float) -> bytes:
    return b"\x1f\x8b\x08\x00" + struct.pack("<I", int(mtime) & 0xFFFFFFFF) + b"\x00\xff"


def stored_gzip_length(size: int) -> int:
    """The length of `stored_gzip(data)` for `size` bytes of data."""
    blocks = max(1, -(-size // _STORED_BLOCK))
    return 10 + 5 * blocks + size + 8


def stored_gzip(data: bytes, mtime: float) -> bytes:
    """A gzip member holding `data` in stored deflate blocks (its length: `stored_gzip_length`)."""
    out = [_gzip_header(mtime)]
    view = memoryview(data)
    offsets = list(range(0, len(data), _STORED_BLOCK)) or [0]
    for i, start in enumerate(offsets):
        end = start + _STORED_BLOCK
        block = view[start:end]
        final = 1 if i == len(offsets) - 1 else 0
        out.append(struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF))
        out.append(bytes(block))
    out.append(struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF))
    return b"".join(out)


def stored_blocks(data: bytes) -> bytes:
    """`data` as non-final stored deflate blocks, for a stream that is at a byte boundary."""
    view = memoryview(data)
    out: list[bytes | memoryview] = []
    for start in range(0, len(data), _STORED_BLOCK):
        block = view[start : start + _STORED_BLOCK]
        out.append(struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF))
        out.append(block)
    return b"".join(out)


def compression_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _deflate(block: bytes, zdict: bytes, level: int) -> bytes:
    """Raw deflate of one block, primed with the 32 KiB before it, ending on a byte boundary."""
    if zdict:
        c = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 8, zlib.Z_DEFAULT_STRATEGY, zdict)
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)


class ParallelGzip:
    """A gzip member compressed by a few threads, as pigz does (zlib lets go of the GIL).

    The data is cut into 1 MiB blocks; each is deflated on its own, primed with the 32 KiB that
    precede it (so the ratio stays that of one stream) and flushed to a byte boundary, or, for data
    already compressed (`write(..., store=True)`), framed as stored blocks; the blocks
    are written in order, then an empty final block and the CRC-32 and size of the whole. The main
    thread meanwhile reads and hashes the next files. At most a few blocks are in flight.
    """

    def __init__(self, raw: Sink, level: int, mtime: float, threads: int | None = None) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor  # only when a bundle is written

        self.future = Future  # for the stored blocks, done at once
        self.raw = raw
        self.level = level
        self.threads = threads or compression_threads()
        self.pool = ThreadPoolExecutor(self.threads, thread_name_prefix="rsconnect-gzip")
        self.pending: collections.deque[Future[bytes]] = collections.deque()
        self.buffer = bytearray()
        self.storing = False  # whether `buffer` holds data to store rather than compress
        self.previous = b""
        self.crc = 0
        self.size = 0
        raw.write(_gzip_header(mtime))

    def write(self, data: Buffer, store: bool = False) -> None:
        """Add `data` to the member; with `store`, in stored blocks (already compressed data)."""
        if store != self.storing and self.buffer:
            self._submit(bytes(self.buffer))
            self.buffer = bytearray()
        self.storing = store
        self.buffer += data
        while len(self.buffer) >= COPY_CHUNK:
            block = bytes(self.buffer[:COPY_CHUNK])
            del self.buffer[:COPY_CHUNK]
            self._submit(block)

    def _submit(self, block: bytes) -> None:
        self.crc = zlib.crc32(block, self.crc)
        self.size += len(block)
        if self.storing:
            done: Future[bytes] = self.future()
            done.set_result(stored_blocks(block))
            self.pending.append(done)
        else:
            self.pending.append(self.pool.submit(_deflate, block, self.previous, self.level))
        self.previous = block[-32768:]
        while len(self.pending) > 2 * self.threads:
            self.raw.write(self.pending.popleft().result())

    def close(self) -> None:
        try:
            if self.buffer:
                self._submit(bytes(self.buffer))
                self.buffer = bytearray()
            while self.pending:
                self.raw.write(self.pending.popleft().result())
            # An empty final block (fixed Huffman), then the trailer.
            self.raw.write(b"\x03\x00" + struct.pack("<II", self.crc & 0xFFFFFFFF, self.size & 0xFFFFFFFF))
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParallelGzip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)
