"""A target that publishes nothing: an honest rehearsal through the real outbox.

Each post is printed to the output stream, or appended as one JSON line to the
file named by option ``file`` (which is then also how a crash mid-post is settled:
the idempotency key is looked up in the file before writing again).
Option ``mimic`` (x, mastodon, bluesky) says which platform is rehearsed: posts get that
platform's wording and length rule (see :func:`bot.core.platforms.spec`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.core import text_length
from bot.core.platforms import PlatformSpec
from bot.files.targets import TargetConfig
from bot.posting.clients.base import Client, PostRef, Rejected


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

    def post(self, text: str, *, reply_to: PostRef | None, idempotency_key: str) -> PostRef:
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
            print(f"{head}\n{text}\n", file=self.stdout, flush=True)
            return ref
        record = {
            "target": self.name,
            "key": idempotency_key,
            "id": fake_id,
            "url": ref.url,
            "reply_to": reply_to.id if reply_to else None,
            "text": text,
        }
        self.file.parent.mkdir(parents=True, exist_ok=True)
        torn = self.file.exists() and not _ends_with_newline(self.file)
        with self.file.open("a", encoding="utf-8") as out:
            if torn:  # a crash cut the last line short: start a fresh one
                out.write("\n")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        return ref

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
