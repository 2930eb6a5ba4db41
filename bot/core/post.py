"""A rendered announcement, ready for the outbox: what links templates and clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Post:
    """The text to publish on one platform for one milestone (or one group of crewmates').

    ``key`` is stable across runs (built from the milestone keys), so the outbox can
    refuse a second copy.  ``parts`` holds one text, or several for a thread.
    ``late_parts`` is the past-tense wording, used when the post goes out well
    after the crossing instant (for instance after an outage).
    """

    key: str
    crossing: datetime  # the milestone's exact instant (UTC)
    due: datetime  # when it should go out (the crossing, or the daily check time)
    parts: tuple[str, ...]
    late_parts: tuple[str, ...]
    kind: str = ""
    people: tuple[str, ...] = ()  # person ids, for logs and status
