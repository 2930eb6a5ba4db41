"""Fixtures shared by every test module.

* ``clock``: the one fake clock (it moves only when told to, or when code "sleeps");
* ``server``: the one fake social-media server on 127.0.0.1 (X, Mastodon, Bluesky);
* ``ll2`` / ``ll2_for``: the fake Launch Library 2 on 127.0.0.1, serving a scenario
  (``ll2_clock`` starts at the late-2026 scenario's instant);
* ``cli``: runs ``spacebot`` in-process with captured output and a given environment;
* every test gets its own dataset cache directory, and the logging set-up it changed
  is put back afterwards.
"""

from __future__ import annotations

import functools
import io
import logging
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fakes import FakeClock, FakeServer, make_server
from fakes.ll2_scenarios import LATE_2026_NOW, SCENARIOS, Scenario
from fakes.ll2_server import FakeLL2, make_ll2
from hypothesis import settings

from bot.cli import Context, main


@pytest.fixture(autouse=True)
def _dataset_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one cache for the session (the bundled data is validated once), never the user's
    monkeypatch.setenv("SPACEBOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


# No test asserts on wall-clock time: not hypothesis's per-example deadline either (it
# made property tests fail on a loaded machine).
settings.register_profile("spacebot", deadline=None)
settings.load_profile("spacebot")

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
def _fresh_instance_limits() -> Iterator[None]:
    # Mastodon instances' limits are read once per process: once per test here (a fake
    # server's port may come back in a later test)
    yield
    mastodon = sys.modules.get("bot.posting.clients.mastodon")
    if mastodon is not None:
        mastodon._limits.clear()


@pytest.fixture(autouse=True)
def _draw_in_the_test_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checks draw their charts here, with the same matplotlib code, rather than in the
    child process production spawns for them (0.6 s each); tests marked ``draw_apart``
    (tests/test_pipeline_pictures.py) spawn it."""
    if request.node.get_closest_marker("draw_apart") is None:
        from bot.images.draw import draw_each

        monkeypatch.setattr("bot.pipeline.draw_charts", draw_each)


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


@functools.cache
def _scenario(name: str) -> Scenario:
    return SCENARIOS[name]()  # built once per run (each server gets its own copy)


@pytest.fixture
def ll2_clock() -> FakeClock:
    return FakeClock(LATE_2026_NOW)


@pytest.fixture
def ll2_for() -> Iterator[Callable[[str], FakeLL2]]:
    """``ll2_for("vandalised")``: a fake LL2 serving that scenario (stopped afterwards)."""
    started: list[FakeLL2] = []

    def start(name: str) -> FakeLL2:
        astronauts, launches = _scenario(name).answers()
        server = make_ll2(astronauts=astronauts, launches=launches)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ll2(ll2_for: Callable[[str], FakeLL2]) -> FakeLL2:
    """The fake LL2 serving the late-2026 scenario."""
    return ll2_for("late_2026")


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
