"""The real ``spacebot run --dry-run`` in a subprocess: heartbeat, SIGTERM, restart, lock.

Needs the integrator's ``bot.pipeline``; a tiny dataset keeps start-up fast.  No network:
``--dry-run`` forces the dry-run adapter.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real processes, real signals

TIMEOUT = 10.0  # seconds: generous bound for a loaded CI machine; normally < 2 s

DATA = """\
as_of: 2024-03-01T00:00:00Z
source: test
people:
- id: ann-test
  name: Ann Test
  country: US
  gender: female
  flights:
  - mission: Test 1
    launch: 2023-01-01T00:00:00Z
    landing: 2023-01-10T00:00:00Z
"""


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    (tmp_path / "data.yaml").write_text(DATA)
    config = tmp_path / "config.yaml"
    config.write_text(
        "timezone: Europe/London\n"
        f"data: {tmp_path / 'data.yaml'}\n"
        f"state_dir: {tmp_path / 'state'}\n"
        "targets:\n"
        "  - name: rehearsal\n"
        "    platform: dry-run\n"
    )
    return config


def env() -> dict[str, str]:
    result = {k: v for k, v in os.environ.items() if not k.startswith("SPACEBOT_")}
    result["PYTHONUNBUFFERED"] = "1"
    result["SPACEBOT_OFFLINE"] = "1"  # no request to Launch Library 2 from a test
    result["SPACEBOT_CACHE_DIR"] = os.environ.get("SPACEBOT_CACHE_DIR", "")
    return result


def start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--dry-run",
            "--config",
            str(config),
            "--log-format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )


def wait_heartbeat(
    path: Path, proc: subprocess.Popen[str], newer_than: float = 0.0
) -> dict[str, object]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_mtime > newer_than:
            data: dict[str, object] = json.loads(path.read_text())
            if data.get("pid") == proc.pid:
                return data
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"spacebot run exited with {proc.returncode}:\n{err}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no heartbeat within the time limit")


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("spacebot run did not stop on SIGTERM")
    return proc.returncode, err


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:  # never leave one behind, whatever failed
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_run_heartbeat_sigterm_restart_and_second_instance_refused(
    setup: Path, procs: list[subprocess.Popen[str]]
) -> None:
    heartbeat = setup.parent / "state" / "heartbeat.json"
    first = start(setup)
    procs.append(first)
    data = wait_heartbeat(heartbeat, first)
    assert data["mode"] == "daemon"
    assert data["dry_run"] is True
    assert data["last_check"]
    code, err = stop(first)
    assert code == 0, err
    events = [json.loads(line).get("event") for line in err.splitlines() if line.startswith("{")]
    assert "check" in events
    assert events[-1] == "stop"

    # restarted on the same state directory: a new check (catch-up), a new heartbeat
    second = start(setup)
    procs.append(second)
    wait_heartbeat(heartbeat, second)
    # a third one on the same state directory is refused, and posts nothing
    third = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--dry-run", "--config", str(setup)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=TIMEOUT,
    )
    assert third.returncode == 2
    assert "already using it" in third.stderr
    assert str(second.pid) in third.stderr
    # so is a one-shot check
    check = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--dry-run", "--config", str(setup)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=TIMEOUT,
    )
    assert check.returncode == 2
    assert "already using it" in check.stderr

    def health() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "health", "--config", str(setup)],
            capture_output=True,
            text=True,
            env=env(),
            timeout=TIMEOUT,
        )

    running = health()  # the health check agrees the daemon is alive and checked recently
    assert running.returncode == 0, running.stderr
    code, err = stop(second)
    assert code == 0, err
    stopped = health()  # ... and that a stopped daemon is not running any more
    assert stopped.returncode == 1
    assert f"the daemon (pid {second.pid}) is not running" in stopped.stderr
