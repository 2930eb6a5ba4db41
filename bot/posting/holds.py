"""The operator's holds: posts (or everything about a person) kept back until released.

``spacebot hold PERSON|KEY`` holds the open posts it names (state ``held``, reason "held
by the operator: ..."); for a person it also remembers the hold
(``<state_dir>/holds.json``), so that later posts about them are held too, for example
while the fate of a crew is unclear.  ``spacebot release PERSON|KEY`` undoes both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from bot.files.atomic import write_atomic
from bot.files.live import read_state
from bot.posting.outbox import RELEASED, Outbox, OutboxItem

HOLDS_FILE = "holds.json"
PREFIX = "held by the operator"
# A post the operator released is never held again by the data: the outbox keeps the
# release on its row (``released_at``, OutboxItem.released); RELEASED (the outbox's) is
# only the reason it shows until another replaces it.


def operator_reason(reason: str) -> str:
    return f"{PREFIX}: {reason}" if reason else PREFIX


def held_people(state_dir: Path) -> Mapping[str, str]:
    """Person id -> the operator's reason, for every person held."""
    raw = read_state(state_dir / HOLDS_FILE) or {}
    people = raw.get("people") or {}
    return {str(k): str(v) for k, v in people.items()} if isinstance(people, dict) else {}


def _save(state_dir: Path, people: Mapping[str, str]) -> None:
    text = json.dumps({"people": dict(sorted(people.items()))}, indent=2, ensure_ascii=False)
    write_atomic(state_dir / HOLDS_FILE, text + "\n")


def _matches(item: OutboxItem, what: str) -> bool:
    return item.key == what or what in item.people or what in item.key.split("+")


def hold(outbox: Outbox, state_dir: Path, what: str, reason: str, now: datetime) -> list[str]:
    """Hold the open posts named by ``what`` (a person id or a post key); a person is also
    remembered.  Returns the keys held (with their targets)."""
    held = []
    for item in outbox.items():
        if (
            item.state == "pending"
            and _matches(item, what)
            and outbox.hold(item.key, item.target, reason=operator_reason(reason), now=now)
        ):
            held.append(f"{item.key} ({item.target})")
    if "/" not in what:  # a person id (milestone keys all hold a "/")
        people = dict(held_people(state_dir))
        people[what] = reason
        _save(state_dir, people)
    return held


def release(outbox: Outbox, state_dir: Path, what: str, now: datetime) -> list[str]:
    """Release the held posts named by ``what`` (any hold reason) and forget a person's
    hold.  Returns the keys released (with their targets)."""
    released = []
    for item in outbox.held_items():
        if _matches(item, what) and outbox.release(
            item.key,
            item.target,
            now=now,
            due=max(item.due, now),
            reason=RELEASED,
            by_operator=True,
        ):
            released.append(f"{item.key} ({item.target})")
    people = dict(held_people(state_dir))
    if people.pop(what, None) is not None:
        _save(state_dir, people)
    return released
