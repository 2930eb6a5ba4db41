"""Fixtures shared by every test module.

* ``clock``: the one fake clock (it moves only when told to, or when code "sleeps");
* ``server``: the one fake social-media server on 127.0.0.1 (X, Mastodon, Bluesky);
* ``cli``: runs ``spacebot`` in-process with captured output and a given environment;
* every test gets its own dataset cache directory, and the logging set-up it changed
  is put back afterwards.
"""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fakes import FakeClock, FakeServer, make_server

from bot.cli import Context, main


@pytest.fixture(autouse=True)
def _dataset_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one cache for the session (the bundled data is validated once), never the user's
    monkeypatch.setenv("SPACEBOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


_LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach 127.0.0.1 only: anything else fails at once, whatever the code does."""
    real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family != socket.AF_UNIX and host not in _LOCAL:
            raise ConnectionRefusedError(f"tests may not use the network (tried {address!r})")
        real_connect(self, address)  # type: ignore[arg-type]

    def lookup(host: object, *args: object, **kwargs: object) -> object:
        if host not in (None, *_LOCAL):
            raise socket.gaierror(f"tests may not use the network (looked up {host!r})")
        return real_lookup(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    srv = make_server()
    yield srv
    srv.stop()


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


CliRunner = Callable[..., Run]


@pytest.fixture
def cli() -> CliRunner:
    """``cli("preview", "--from", ..., env={...}, now=datetime)`` -> Run(code, out, err).

    Commands run offline (``SPACEBOT_OFFLINE=1``) unless ``env`` sets it otherwise."""

    def run(
        *argv: str | Path, env: Mapping[str, str] | None = None, now: datetime | None = None
    ) -> Run:
        out, err = io.StringIO(), io.StringIO()
        # offline unless the test says otherwise: no command reaches for a data source
        ctx = Context(stdout=out, stderr=err, env={"SPACEBOT_OFFLINE": "1", **(env or {})})
        if now is not None:
            ctx.clock = lambda: now
        code = main([str(a) for a in argv], ctx)
        return Run(code, out.getvalue(), err.getvalue())

    return run
