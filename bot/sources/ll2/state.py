"""The sync's memory between runs (``<state_dir>/live/sync.json``), and reading it safely.

The file is ours, but an operator may edit it (``ll2_ids`` settles an ambiguous
person), and a disk or an editor may damage it.  :meth:`SyncState.from_json` checks
every field: anything wrong is a :class:`~bot.errors.DataError` naming the file, the
key and the fix (never a traceback, never a naive instant reaching a comparison).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.model import iso
from bot.errors import DataError, Problem

VERSION = 1
AFRESH = (
    "correct it, or delete the file to start the memory afresh (new entries then wait "
    "for a second sync again before they are confirmed)"
)


@dataclass(frozen=True)
class Pending:
    """A different value an earlier sync saw, refused for moving too far; accepted once
    a sync at least ``confirm_after`` later still gives it."""

    launch: str
    landing: str | None
    first_seen: datetime


@dataclass(frozen=True)
class Seen:
    """What the syncs have seen of one entry: its instants, since when.

    ``launch`` and ``landing`` are the instants the overlay holds.  ``end_unknown``: the
    landing is the sync's stand-in for a crew lost without an end from LL2 (replaced,
    without the shift check, by the first end LL2 gives).
    """

    launch: str
    landing: str | None
    first_seen: datetime
    confirmed: bool = False
    pending: Pending | None = None
    end_unknown: bool = False


@dataclass(frozen=True)
class Refusal:
    """An entry (or a whole person) left out of the overlay, and why."""

    who: str  # person id, or LL2's name when not matched
    what: str  # "Crew-12", or "the person"
    reason: str

    def __str__(self) -> str:
        return f"{self.who}, {self.what}: {self.reason}"


@dataclass(frozen=True)
class SyncState:
    """The sync's memory between runs (``<state_dir>/live/sync.json``)."""

    last_good: datetime | None = None  # the last sync that applied
    ll2_ids: Mapping[int, str] = field(default_factory=dict)  # LL2 id -> person id
    seen: Mapping[str, Seen] = field(default_factory=dict)  # entry key -> what was seen
    quarantined: tuple[Refusal, ...] = ()  # refused by the last good sync
    last_attempt: datetime | None = None
    last_error: str | None = None  # why the last attempt failed (None: it worked)
    launches_due: tuple[datetime, ...] = ()  # crewed launches not yet flown (planned nets)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "last_good": iso(self.last_good) if self.last_good else None,
            "last_attempt": iso(self.last_attempt) if self.last_attempt else None,
            "last_error": self.last_error,
            "ll2_ids": {str(k): v for k, v in sorted(self.ll2_ids.items())},
            "seen": {key: _seen_json(s) for key, s in sorted(self.seen.items())},
            "quarantined": [
                {"who": r.who, "what": r.what, "reason": r.reason} for r in self.quarantined
            ],
            "launches_due": [iso(t) for t in self.launches_due],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], source: str = "sync.json") -> SyncState:
        """The memory in ``raw`` (the JSON object of ``source``); DataError naming the
        key and the fix when any field is not as :meth:`to_json` writes it."""
        r = _Reader(source)
        version = raw.get("version", VERSION)
        if version != VERSION or isinstance(version, bool):
            raise r.fail(
                "version",
                f"is {version!r}, this spacebot reads version {VERSION}",
                "delete the file to start the memory afresh (or run the spacebot that wrote it)",
            )
        return cls(
            last_good=r.opt_instant(raw, "last_good"),
            last_attempt=r.opt_instant(raw, "last_attempt"),
            last_error=r.opt_text(raw, "last_error"),
            ll2_ids=r.ll2_ids(raw.get("ll2_ids")),
            seen=r.seen(raw.get("seen")),
            quarantined=r.quarantined(raw.get("quarantined")),
            launches_due=r.instants(raw.get("launches_due"), "launches_due"),
        )


def _seen_json(s: Seen) -> dict[str, Any]:
    out: dict[str, Any] = {
        "launch": s.launch,
        "landing": s.landing,
        "first_seen": iso(s.first_seen),
        "confirmed": s.confirmed,
    }
    if s.pending is not None:
        out["pending"] = {
            "launch": s.pending.launch,
            "landing": s.pending.landing,
            "first_seen": iso(s.pending.first_seen),
        }
    if s.end_unknown:
        out["end_unknown"] = True
    return out


class _Reader:
    """Checks of one sync.json's fields; each failure names the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, what: str, fix: str = AFRESH) -> DataError:
        return DataError(Problem(self.source, key, what, fix))

    def instant(self, value: object, key: str) -> datetime:
        instant = None
        if isinstance(value, str):
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                instant = None
        if instant is None or instant.tzinfo is None or instant.utcoffset() is None:
            raise self.fail(
                key,
                f"{_short(value)} is not an instant in UTC",
                f"write e.g. 2026-11-20T12:00:00Z (with the Z); {AFRESH}",
            )
        return instant

    def opt_instant(self, raw: Mapping[str, Any], key: str) -> datetime | None:
        value = raw.get(key)
        return None if value is None else self.instant(value, key)

    def opt_text(self, raw: Mapping[str, Any], key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"is {value!r}, not text or null")
        return value or None

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"is {value!r}, not a non-empty text")
        return value

    def mapping(self, value: object, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"is {_short(value)}, not a JSON object")
        return value

    def listing(self, value: object, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"is {_short(value)}, not a JSON list")
        return value

    def ll2_ids(self, value: object) -> dict[int, str]:
        fix = (
            "each key is an LL2 astronaut id (digits), each value a person id of the data, "
            f'e.g. "636": "petr-dubrov"; {AFRESH}'
        )
        out: dict[int, str] = {}
        for key, pid in self.mapping(value, "ll2_ids").items():
            if not key.isascii() or not key.isdigit() or int(key) <= 0:
                raise self.fail(f"ll2_ids[{key!r}]", f"{key!r} is not an LL2 id (a number)", fix)
            if not isinstance(pid, str) or not pid.strip():
                raise self.fail(f"ll2_ids[{key!r}]", f"{pid!r} is not a person id", fix)
            out[int(key)] = pid
        return out

    def seen(self, value: object) -> dict[str, Seen]:
        out: dict[str, Seen] = {}
        for key, entry in self.mapping(value, "seen").items():
            where = f"seen[{key!r}]"
            fields = self.mapping(entry, where)
            landing = fields.get("landing")
            confirmed = fields.get("confirmed", False)
            end_unknown = fields.get("end_unknown", False)
            for name, flag in (("confirmed", confirmed), ("end_unknown", end_unknown)):
                if not isinstance(flag, bool):
                    raise self.fail(f"{where}.{name}", f"is {flag!r}, not true or false")
            out[key] = Seen(
                launch=iso(self.instant(fields.get("launch"), f"{where}.launch")),
                landing=None if landing is None else iso(self.instant(landing, f"{where}.landing")),
                first_seen=self.instant(fields.get("first_seen"), f"{where}.first_seen"),
                confirmed=confirmed,
                pending=self.pending(fields.get("pending"), f"{where}.pending"),
                end_unknown=end_unknown,
            )
        return out

    def pending(self, value: object, where: str) -> Pending | None:
        if value is None:
            return None
        fields = self.mapping(value, where)
        landing = fields.get("landing")
        return Pending(
            launch=iso(self.instant(fields.get("launch"), f"{where}.launch")),
            landing=None if landing is None else iso(self.instant(landing, f"{where}.landing")),
            first_seen=self.instant(fields.get("first_seen"), f"{where}.first_seen"),
        )

    def quarantined(self, value: object) -> tuple[Refusal, ...]:
        out: list[Refusal] = []
        for i, entry in enumerate(self.listing(value, "quarantined")):
            where = f"quarantined[{i}]"
            fields = self.mapping(entry, where)
            out.append(
                Refusal(
                    self.text(fields.get("who"), f"{where}.who"),
                    self.text(fields.get("what"), f"{where}.what"),
                    self.text(fields.get("reason"), f"{where}.reason"),
                )
            )
        return tuple(out)

    def instants(self, value: object, key: str) -> tuple[datetime, ...]:
        return tuple(
            self.instant(item, f"{key}[{i}]") for i, item in enumerate(self.listing(value, key))
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
