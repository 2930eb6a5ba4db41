"""Credentials: read from the environment (or Docker-secret files), never printed.

A :class:`Secret` holds one credential.  Its ``repr`` and ``str`` are masked, so a
secret that ends up in a log line, an exception message or a debugger dump shows
as ``***``.  The plain value is only handed out by :meth:`Secret.reveal`, which
the client adapters call when they build the platform library's own client.

Every secret created is also remembered (values only, in this process) so that
:class:`RedactingFilter` can scrub it from log records written by third-party
libraries (tweepy, requests, httpx...), as a second line of defence.

Credentials come from ``NAME`` or, for Docker/Kubernetes secrets, from the file
named by ``NAME_FILE``.  Setting both is an error (which one would win?).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from bot.errors import ConfigError, Problem

MASK: Final = "***"
_MIN_REDACT_LEN: Final = 4  # shorter values would mangle ordinary text

_known: set[str] = set()
_known_lock = threading.Lock()


class Secret:
    """A credential whose value never shows in ``repr``, ``str`` or f-strings."""

    __slots__ = ("_value", "name")

    def __init__(self, value: str, name: str = "") -> None:
        self._value = value
        self.name = name  # the variable it came from: safe to show
        if len(value) >= _MIN_REDACT_LEN:
            with _known_lock:
                _known.add(value)

    def reveal(self) -> str:
        """The plain value: pass it straight to the library that needs it, nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, {MASK!r})" if self.name else f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self) -> tuple[object, ...]:  # no pickling a secret into a cache by accident
        raise TypeError("a Secret cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


def redact(text: str) -> str:
    """``text`` with every known secret value replaced by ``***``."""
    with _known_lock:
        values = sorted(_known, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Scrubs known secret values from log records (message, arguments, traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _known:
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        return True


def read_secret(
    env: Mapping[str, str], var: str, *, where: str, source: str = "<environment>"
) -> Secret:
    """The credential in ``env[var]`` or in the file named by ``env[var + '_FILE']``.

    Raises :class:`ConfigError` naming the variable when it is missing, empty,
    set twice, or when its file cannot be read.  The value never appears in errors.
    """
    problem = _secret_problem(env, var, where=where, source=source)
    if problem is not None:
        raise ConfigError(problem)
    file_var = f"{var}_FILE"
    if var in env:
        return Secret(env[var].strip(), var)
    path = Path(env[file_var])
    return Secret(path.read_text(encoding="utf-8").strip(), file_var)


def check_secret(
    env: Mapping[str, str], var: str, *, where: str, source: str = "<environment>"
) -> Problem | None:
    """The problem with credential ``var`` in ``env``, or ``None`` when it can be read."""
    return _secret_problem(env, var, where=where, source=source)


def _secret_problem(env: Mapping[str, str], var: str, *, where: str, source: str) -> Problem | None:
    file_var = f"{var}_FILE"
    has_value = var in env
    has_file = file_var in env
    if has_value and has_file:
        return Problem(
            source,
            where,
            f"both {var} and {file_var} are set",
            f"unset one of them: {var} holds the credential itself, {file_var} names a file "
            "that holds it",
        )
    if not has_value and not has_file:
        return Problem(
            source,
            where,
            f"missing credential {var}",
            f"set the environment variable {var}, or {file_var} to the path of a file holding it",
        )
    if has_value:
        if not env[var].strip():
            return Problem(source, where, f"{var} is empty", f"put the credential in {var}")
        return _control_problem(env[var], var, source, where)
    path = Path(env[file_var])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return Problem(
            source,
            where,
            f"cannot read {file_var} file {str(path)!r}: {exc.strerror or type(exc).__name__}",
            f"point {file_var} at a readable file holding the credential",
        )
    except UnicodeDecodeError:
        return Problem(
            source, where, f"{file_var} file {str(path)!r} is not UTF-8 text", "fix the file"
        )
    if not text.strip():
        return Problem(
            source,
            where,
            f"{file_var} file {str(path)!r} is empty",
            "put the credential in the file",
        )
    return _control_problem(text, file_var, source, where)


def _control_problem(value: str, var: str, source: str, where: str) -> Problem | None:
    """A credential is one line of printable text: a second line or a control character
    would end up in request headers (and in error messages quoting them)."""
    inner = value.strip()
    bad = next((c for c in inner if ord(c) < 32 or ord(c) == 127), None)
    if bad is None:
        return None
    what = "a line break" if bad in "\r\n" else f"the control character U+{ord(bad):04X}"
    return Problem(
        source,
        where,
        f"{var} holds {what} inside the credential",
        "a credential is a single line: remove the extra lines or characters "
        "(the value is not shown here)",
    )


def read_secrets(
    env: Mapping[str, str],
    variables: Mapping[str, str],
    *,
    where: str,
    source: str = "<environment>",
) -> dict[str, Secret]:
    """Several credentials at once (field -> variable); one error listing every problem."""
    problems = [
        p
        for var in variables.values()
        if (p := _secret_problem(env, var, where=where, source=source)) is not None
    ]
    if problems:
        raise ConfigError(problems)
    return {
        field: read_secret(env, var, where=where, source=source) for field, var in variables.items()
    }
