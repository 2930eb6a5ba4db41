"""Logging set-up for the long-running commands (``run``, ``check``).

Everything goes to stderr (stdout stays free for command output).  Two formats:

``text`` (default)  ``2024-03-10T07:30:00Z INFO spacebot.daemon: check: found 2 ...``
``json``            one JSON object per line: ``time``, ``level``, ``logger``, ``message``,
                    plus any ``extra={...}`` fields the caller attached (``event``,
                    ``found``, ``enqueued``...), so log collectors can filter on them.

No dependency beyond the standard library.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from bot.files.secrets import RedactingFilter

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName"}
)


def _utc_iso(created: float) -> str:
    stamp = datetime.fromtimestamp(created, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """``<UTC time> <LEVEL> <logger>: <message>``, tracebacks indented below."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{_utc_iso(record.created)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``extra=`` fields included, non-JSON values as text)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _SpacebotHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler we installed, so a second set-up replaces it instead of doubling."""


def setup_logging(stream: TextIO, fmt: str = "text", *, debug: bool = False) -> None:
    """Send every log record (ours and the libraries') to ``stream`` in ``fmt``.

    INFO and above by default (DEBUG with ``debug``); APScheduler's chatter ("Running
    job ...", "Added job ...") only from WARNING up, since our own lines say more.
    Every record passes :class:`~bot.files.secrets.RedactingFilter` first: a credential
    that a library puts in a message or a traceback is written as ``***``.
    """
    if fmt not in LOG_FORMATS:
        raise ValueError(f"unknown log format {fmt!r}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _SpacebotHandler)]:
        root.removeHandler(old)
    handler = _SpacebotHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if debug else logging.WARNING)
