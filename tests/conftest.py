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
import sys
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


@pytest.fixture(autouse=True)
def _fresh_instance_limits() -> Iterator[None]:
    # Mastodon instances' limits are read once per process: once per test here (a fake
    # server's port may come back in a later test)
    yield
    mastodon = sys.modules.get("bot.posting.clients.mastodon")
    if mastodon is not None:
        mastodon._limits.clear()


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
    """``cli("preview", "--from", ..., env={...}, now=datetime)`` -> Run(code, out, err)."""

    def run(
        *argv: str | Path, env: Mapping[str, str] | None = None, now: datetime | None = None
    ) -> Run:
        out, err = io.StringIO(), io.StringIO()
        ctx = Context(stdout=out, stderr=err, env=dict(env or {}))
        if now is not None:
            ctx.clock = lambda: now
        code = main([str(a) for a in argv], ctx)
        return Run(code, out.getvalue(), err.getvalue())

    return run
