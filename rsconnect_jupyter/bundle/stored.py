"""Which files go into a bundle as they are (stored), not compressed again.

Deflating data that is already compressed costs a core and saves nothing (it often grows), so a
file is stored when its name says it is compressed (parquet, png, zip, gz, ...), when its first
bytes are a compressed format's signature, or when a quick level-1 deflate of its first 64 KiB
saves less than 5% (random-looking data whatever its name).
"""

from __future__ import annotations

import zlib

COMPRESSED_SUFFIXES = frozenset(
    (
        # archives and compressed streams
        ".gz .tgz .zip .bz2 .xz .zst .lz4 .br .7z .rar .whl .jar .egg .npz .pkl.gz .rds .rda .rdata "
        # columnar data, mostly compressed per page
        ".parquet .orc .avro .feather .arrow "
        # images, audio, video, fonts, documents (all zip or deflate inside)
        ".png .jpg .jpeg .gif .webp .avif .heic .mp3 .mp4 .m4a .ogg .flac .mov .mkv .webm "
        ".woff .woff2 .docx .xlsx .pptx .odt .ods .epub"
    ).split()
)

# The first bytes of compressed formats: gzip, zip, zstd, xz, bzip2, 7z, png, jpeg, parquet, webp/riff.
_SIGNATURES = (
    b"\x1f\x8b",
    b"PK\x03\x04",
    b"\x28\xb5\x2f\xfd",
    b"\xfd7zXZ\x00",
    b"BZh",
    b"7z\xbc\xaf\x27\x1c",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"PAR1",
    b"RIFF",
)
SAMPLE = 64 * 1024
_SAVING = 0.95  # stored when level 1 leaves more than this share of the sample


def stored_by_name(arcname: str) -> bool:
    name = arcname.lower()
    return any(name.endswith(suffix) for suffix in COMPRESSED_SUFFIXES)


def looks_compressed(head: bytes) -> bool:
    """Whether the file that starts with `head` (up to SAMPLE bytes) would not shrink."""
    if head.startswith(_SIGNATURES):
        return True
    if len(head) < 4096:  # too small to judge, and too small to matter
        return False
    return len(zlib.compress(head[:SAMPLE], 1)) > _SAVING * min(len(head), SAMPLE)
