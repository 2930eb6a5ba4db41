"""Benchmarks of the daemon, run by hand (not by the tests):

* start-up time of ``spacebot run --dry-run`` to its first heartbeat (the start-up
  check included) with the full bundled history (``schedules/``);
* resident memory (VmRSS, and the peak VmHWM) of that daemon once idle;
* the time of one daily check on the full history (reload + check + deliver, as the
  daemon's daily job does), in-process, after a first check has primed the state.

    python bench/daemon_bench.py [--runs 3] [--idle 2] [--json]

Needs bot/pipeline.py and schedules/history.yaml; Linux (/proc) for the memory.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp: Path) -> Path:
    config = tmp / "config.yaml"
    config.write_text(
        f"timezone: UTC\nstate_dir: {tmp / 'state'}\ndata: {ROOT / 'schedules'}\n"
        "targets:\n  - name: rehearsal\n    platform: dry-run\n"
    )
    return config


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def daemon_run(idle: float) -> dict[str, float]:
    """Start-up time to the first heartbeat, then idle memory, then SIGTERM."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        heartbeat = tmp / "state" / "heartbeat.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPACEBOT_")}
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--dry-run", "--config", str(write_config(tmp))],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp,
        )
        try:
            while not heartbeat.exists():
                if proc.poll() is not None:
                    raise SystemExit(
                        f"spacebot run exited with {proc.returncode}:\n"
                        f"{proc.stderr.read() if proc.stderr else ''}"
                    )
                if time.perf_counter() - t0 > 300:
                    raise SystemExit("no heartbeat within 300 s")
                time.sleep(0.005)
            startup = time.perf_counter() - t0
            time.sleep(idle)
            memory = proc_status(proc.pid)
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
            if proc.returncode != 0:
                raise SystemExit(f"spacebot run exited with {proc.returncode} on SIGTERM")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return {
        "startup_s": startup,
        "rss_mib": memory["VmRSS"] / 1024,
        "peak_rss_mib": memory["VmHWM"] / 1024,
    }


def daily_checks(runs: int) -> list[float]:
    """Seconds per daily check on the full history, as the daemon's daily job runs it:
    read the configuration, reload (data unchanged), check, deliver, write the heartbeat.

    The days are in June 2026, when the bundled data has crews in space."""
    sys.path.insert(0, str(ROOT))
    from bot.daemon.heartbeat import Heartbeat
    from bot.files.config import load_config
    from bot.files.lock import StateLock
    from bot.pipeline import open_pipeline

    logging.getLogger("spacebot").setLevel(logging.ERROR)  # e.g. the stale-data warning
    times: list[float] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        config_path = str(write_config(tmp))
        env: dict[str, str] = {}
        config = load_config(config_path, env)
        start = datetime(2026, 6, 1, 9, tzinfo=UTC)
        clock = [start]
        with StateLock(config.state_dir) as lock:
            pipeline = open_pipeline(
                config,
                env=env,
                clock=lambda: clock[0],
                stdout=io.StringIO(),
                dry_run=True,
                lock=lock,
            )
            try:
                pipeline.check(start - timedelta(days=1))  # primes "the last check"
                beat = Heartbeat(mode="daemon", dry_run=True)
                for day in range(runs):
                    at = clock[0] = start + timedelta(days=day)
                    t0 = time.perf_counter()
                    pipeline.reload(load_config(config_path, env))
                    pipeline.check(at)
                    pipeline.deliver(at)
                    beat.write(config.state_dir / "heartbeat.json", at)
                    times.append(time.perf_counter() - t0)
            finally:
                pipeline.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument(
        "--idle", type=float, default=2.0, help="seconds idle before reading the memory (default 2)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    for needed in (ROOT / "bot" / "pipeline.py", ROOT / "schedules" / "history.yaml"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: nothing to benchmark yet")
    daemons = [daemon_run(args.idle) for _ in range(args.runs)]
    checks = daily_checks(args.runs)
    result = {
        "startup_to_first_heartbeat_s": statistics.median(d["startup_s"] for d in daemons),
        "idle_rss_mib": statistics.median(d["rss_mib"] for d in daemons),
        "peak_rss_mib": max(d["peak_rss_mib"] for d in daemons),
        "daily_check_s": statistics.median(checks),
        "daily_check_min_s": min(checks),
        "runs": args.runs,
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"start-up to first heartbeat  {result['startup_to_first_heartbeat_s']:8.2f} s"
            f"   (median of {args.runs}, start-up check on the full history included)"
        )
        print(
            f"idle resident memory (RSS)   {result['idle_rss_mib']:8.1f} MiB"
            f" (peak {result['peak_rss_mib']:.1f} MiB)"
        )
        print(
            f"one daily check              {result['daily_check_s']:8.3f} s"
            f"   (median; min {result['daily_check_min_s']:.3f} s; reload + check + deliver)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
