"""Environment variables that switch something on: one rule for reading them.

``1``, ``true``, ``yes``, ``on`` switch on; unset, empty, ``0``, ``false``, ``no``,
``off`` switch off (any case).  Anything else is unreadable: the caller says so rather
than guessing (``SPACEBOT_OFFLINE=flase`` must not mean "online").
"""

from __future__ import annotations

from collections.abc import Mapping

_ON = frozenset({"1", "true", "yes", "on"})
_OFF = frozenset({"", "0", "false", "no", "off"})
WORDS = "1/true/yes/on or 0/false/no/off"


def flag(env: Mapping[str, str], name: str) -> bool | None:
    """Whether the variable ``name`` switches on; ``None`` when its value is unreadable."""
    value = env.get(name, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    return None
