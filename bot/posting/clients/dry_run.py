"""A target that publishes nothing: an honest rehearsal through the real outbox.

Each post is printed to the output stream, or appended as one JSON line to the
file named by option ``file`` (which is then also how a crash mid-post is settled:
the idempotency key is looked up in the file before writing again).
Option ``mimic`` (x, mastodon, bluesky) says which platform is rehearsed: posts get that
platform's wording and length rule (see :func:`bot.core.platforms.spec`).

Pictures: :meth:`DryRunClient.upload` checks the image against the rehearsed platform's
limits and records it (content-hash name, bytes, size in pixels, alt text) as a line of
its own (``"upload_key"``, never ``"key"``, so it is never taken for a post); a post
lists its images under ``"media"``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.core import text_length
from bot.core.platforms import PlatformSpec
from bot.files.targets import TargetConfig
from bot.images import png
from bot.posting.clients.base import Client, MediaRef, PostRef, Rejected, check_image


class DryRunClient(Client):
    platform: ClassVar[str] = "dry-run"
    resend_is_safe: ClassVar[bool] = False

    def __init__(self, name: str, *, spec: PlatformSpec, file: Path | None, stdout: TextIO) -> None:
        super().__init__(name)
        self.spec = spec
        self.file = file
        self.stdout = stdout

    @classmethod
    def create(
        cls,
        target: TargetConfig,
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        file = str(target.options.get("file") or "")
        path = None
        if file:
            path = Path(file)
            if not path.is_absolute():
                path = state_dir / path
        return cls(target.name, spec=target.spec, file=path, stdout=stdout)

    def post(
        self,
        text: str,
        *,
        reply_to: PostRef | None,
        idempotency_key: str,
        media: Sequence[MediaRef] = (),
    ) -> PostRef:
        # as the platform it mimics would refuse it
        why = text_length.problem(text, self.spec.counter, self.spec.limit)
        if why is not None:
            raise Rejected(f"{self.name}: {self.spec.platform} would refuse it: {why}")
        fake_id = "dry-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        ref = PostRef(fake_id, f"dry-run://{self.name}/{fake_id}")
        if self.file is None:
            head = f"--- {self.name} (dry run)"
            if reply_to is not None:
                head += f", reply to {reply_to.id}"
            images = "".join(f"[image {m.sha256}.png: {m.alt}]\n" for m in media)
            print(f"{head}\n{text}\n{images}", file=self.stdout, flush=True)
            return ref
        record: dict[str, object] = {
            "target": self.name,
            "key": idempotency_key,
            "id": fake_id,
            "url": ref.url,
            "reply_to": reply_to.id if reply_to else None,
            "text": text,
        }
        if media:
            record["media"] = [
                {"id": m.id, "name": f"{m.sha256}.png", "bytes": m.size, "alt": m.alt}
                for m in media
            ]
        self._append(record)
        return ref

    def upload(self, image: bytes, alt: str, *, idempotency_key: str) -> MediaRef:
        width, height = check_image(self, image, alt, self.spec.platform)
        sha = png.content_hash(image)
        ref = MediaRef(
            "dry-media-" + sha[:16], sha, None, size=len(image), width=width, height=height, alt=alt
        )
        if self.file is None:
            print(
                f"--- {self.name} (dry run), image {sha}.png: {len(image):,} bytes, "
                f"{width}x{height}\nalt text ({len(alt)} characters): {alt}\n",
                file=self.stdout,
                flush=True,
            )
            return ref
        self._append(
            {
                "target": self.name,
                "upload_key": idempotency_key,
                "id": ref.id,
                "image": {
                    "name": f"{sha}.png",
                    "sha256": sha,
                    "bytes": len(image),
                    "width": width,
                    "height": height,
                    "alt": alt,
                },
            }
        )
        return ref

    def _append(self, record: Mapping[str, object]) -> None:
        assert self.file is not None
        self.file.parent.mkdir(parents=True, exist_ok=True)
        torn = self.file.exists() and not _ends_with_newline(self.file)
        with self.file.open("a", encoding="utf-8") as out:
            if torn:  # a crash cut the last line short: start a fresh one
                out.write("\n")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def find_recent(self, text: str, *, idempotency_key: str) -> PostRef | None:
        if self.file is None or not self.file.exists():
            return None
        with self.file.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:  # a torn last line from a crash mid-write
                    continue
                if isinstance(record, dict) and record.get("key") == idempotency_key:
                    return PostRef(str(record["id"]), str(record.get("url", "")))
        return None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        if f.seek(0, os.SEEK_END) == 0:
            return True
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
