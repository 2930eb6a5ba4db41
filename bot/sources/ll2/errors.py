"""The two errors of the LL2 source: every failure is an :class:`LL2Error`.

Each message is ONE line: ``LL2 <endpoint>: <what was wrong>``, where the endpoint is the
path and query of the request (never a header, so never the token).  Known secret values
are scrubbed from it anyway (:func:`bot.files.secrets.redact`), as a second line of defence.
"""

from __future__ import annotations

from datetime import datetime

from bot.errors import Problem
from bot.files.secrets import redact

_MAX_REASON = 300


def one_line(text: str, limit: int = _MAX_REASON) -> str:
    """``text`` on one line (whitespace runs collapsed), cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class LL2Error(Exception):
    """A request to LL2 failed, or its answer cannot be used.

    ``endpoint`` is what was asked (``GET /2.3.0/astronauts/?in_space=true...``),
    ``reason`` what went wrong; ``str()`` is the one-line message for the operator.
    """

    def __init__(self, endpoint: str, reason: str, *, status: int | None = None) -> None:
        self.endpoint = one_line(redact(endpoint), 400)
        self.reason = one_line(redact(reason))
        self.status = status  # the HTTP status when the server answered one, else None
        super().__init__(f"LL2 {self.endpoint}: {self.reason}")

    def problem(self) -> Problem:
        """The error as a :class:`bot.errors.Problem`, for reports that list problems."""
        return Problem(
            "LL2",
            self.endpoint,
            self.reason,
            "it is retried at the next sync; if it persists, check the LL2 base URL and "
            "https://ll.thespacedevs.com/docs/",
        )


class Throttled(LL2Error):
    """LL2 refused the request for the rate limit, for longer than we are willing to wait.

    ``retry_at`` is the instant (UTC) from which the server said it would answer again.
    """

    def __init__(self, endpoint: str, reason: str, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(endpoint, f"{reason}; retry at {retry_at:%Y-%m-%dT%H:%M:%SZ}", status=429)
