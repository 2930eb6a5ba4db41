"""What the rest of the bot needs to know about a drawn PNG, without matplotlib: its
name (the content hash) and its size in pixels.

The name rule has one home, here: an image is named by the SHA-256 of its bytes
(``<64 hex digits>.png``), so the same chart always gets the same name, wherever it is
written (preview, state directory, dry-run records).
"""

from __future__ import annotations

import hashlib
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIME_TYPE = "image/png"


def content_hash(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex: an image's identity."""
    return hashlib.sha256(data).hexdigest()


def file_name(data: bytes, suffix: str = ".png") -> str:
    """``<content hash><suffix>``: where an image (or its alt text, ``.txt``) is written."""
    return content_hash(data) + suffix


def size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header; ValueError if ``data`` is
    not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
