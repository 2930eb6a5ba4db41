"""A target that publishes nothing: an honest rehearsal through the real outbox.

Each post is printed to the output stream, or appended as one JSON line to the
file named by option ``file`` (which is then also how a crash mid-post is settled:
the idempotency key is looked up in the file before writing again).
Option ``mimic`` (x, mastodon, bluesky) borrows another platform's length rule.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Self, TextIO

from bot.errors import Problem
from bot.posting.clients.base import Client, Counter, PostRef, Rejected

_MIMIC: dict[str, tuple[Counter, int]] = {
    "x": ("x", 280),
    "mastodon": ("mastodon", 500),
    "bluesky": ("bluesky", 300),
}


class DryRunClient(Client):
    platform: ClassVar[str] = "dry-run"
    counter: ClassVar[Counter] = "x"
    default_limit: ClassVar[int] = 280
    default_daily_cap: ClassVar[int] = 1000
    default_min_interval: ClassVar[float] = 0.0
    options_spec: ClassVar[Mapping[str, tuple[type, object]]] = {
        "file": (str, ""),
        "mimic": (str, "x"),
    }
    resend_is_safe: ClassVar[bool] = False

    def __init__(
        self, name: str, *, limit: int, counter: Counter, file: Path | None, stdout: TextIO
    ) -> None:
        super().__init__(name, limit=limit)
        self._counter: Counter = counter
        self.file = file
        self.stdout = stdout

    @property
    def text_counter(self) -> Counter:
        return self._counter

    @classmethod
    def extra_checks(
        cls, options: Mapping[str, object], *, source: str, where: str
    ) -> list[Problem]:
        if options["mimic"] not in _MIMIC:
            return [
                Problem(
                    source,
                    where,
                    f"option 'mimic' must be one of {', '.join(_MIMIC)}, not {options['mimic']!r}",
                    "fix options.mimic",
                )
            ]
        return []

    @classmethod
    def limit_for(cls, options: Mapping[str, object]) -> int:
        return _MIMIC[str(options.get("mimic", "x"))][1]

    @classmethod
    def create(
        cls,
        name: str,
        options: Mapping[str, object],
        env: Mapping[str, str],
        *,
        state_dir: Path,
        stdout: TextIO,
        source: str = "<environment>",
    ) -> Self:
        counter, limit = _MIMIC[str(options.get("mimic", "x"))]
        file = str(options.get("file", ""))
        path = None
        if file:
            path = Path(file)
            if not path.is_absolute():
                path = state_dir / path
        return cls(name, limit=limit, counter=counter, file=path, stdout=stdout)

    def post(self, text: str, *, reply_to: PostRef | None, idempotency_key: str) -> PostRef:
        if self.measure(text) > self.limit:
            raise Rejected(f"{self.name}: text is {self.measure(text)} long, limit {self.limit}")
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
