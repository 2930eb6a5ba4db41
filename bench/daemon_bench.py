"""Benchmarks of the daemon, run by hand (not by the tests):

* start-up time of ``spacebot run --dry-run`` to its first heartbeat (the start-up
  check included) with the full bundled history (``schedules/``);
* resident memory (VmRSS, and the peak VmHWM) of that daemon once idle;
* the time of one daily check on the full history (reload + check + deliver, as the
  daemon's daily job does), in-process, after a first check has primed the state;
* with pictures on (the defaults: records and mission ends), in a fresh process: the
  daemon's pipeline runs daily checks (each looking one day back and ahead, as in
  steady state): one with no picture due (no child process), the one that draws
  Scott Kelly's record of 2015-10-15, the one that draws the landing of 2016-03-02
  (Kelly, Kornienko and Volkov: three charts), and the one with Kononenko's record of
  2024-02-04, each delivered through the dry run with its pictures: the time of each
  check and the resident memory after it (charts are drawn in a child process, which
  exits: the daemon never loads matplotlib).

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


def write_config(tmp: Path, extra: str = "") -> Path:
    config = tmp / "config.yaml"
    config.write_text(
        f"timezone: UTC\nstate_dir: {tmp / 'state'}\ndata: {ROOT / 'schedules'}\n"
        "targets:\n  - name: rehearsal\n    platform: dry-run\n"
        "    options: {file: dry-run.jsonl}\n"
        "sources: {ll2: {enabled: false}}\n" + extra  # no network: the check alone
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


PICTURES_CHILD = r"""
import io, json, logging, sys, tempfile, time
from datetime import UTC, datetime, timedelta
from pathlib import Path

def rss_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

sys.path.insert(0, "bench")
from daemon_bench import write_config
from bot.files.config import load_config
from bot.files.lock import StateLock
from bot.pipeline import open_pipeline

logging.getLogger("spacebot").setLevel(logging.ERROR)
out = {}
with tempfile.TemporaryDirectory() as name:
    tmp = Path(name)
    path = write_config(tmp, "schedule: {catch_up_days: 1}\n")
    config = load_config(str(path), {})
    with StateLock(config.state_dir) as lock:
        clock = [datetime(2015, 10, 13, 9, tzinfo=UTC)]
        pipeline = open_pipeline(config, env={}, clock=lambda: clock[0],
                                 stdout=io.StringIO(), dry_run=False, lock=lock)
        try:
            def day(at, label):
                clock[0] = at
                pipeline._save_checked_until(at - timedelta(days=1))  # the day before's
                t0 = time.perf_counter()
                report = pipeline.check(at)
                now = at
                while True:  # deliver each post at its instant (on the fake clock)
                    due = pipeline.deliver(now)
                    if due is None or due > at + timedelta(days=2):
                        break
                    now = clock[0] = max(due, now)
                out[label + "_s"] = time.perf_counter() - t0
                out[label + "_rss_mib"] = rss_mib()
                out[label + "_found"] = report.found
                out[label + "_drawn"] = len(list((config.state_dir / "images").glob("*.png")))
            day(datetime(2015, 10, 13, 9, tzinfo=UTC), "no_picture")
            assert "matplotlib" not in sys.modules
            day(datetime(2015, 10, 14, 9, tzinfo=UTC), "first_picture")
            assert "matplotlib" not in sys.modules  # drawn in a child process
            day(datetime(2016, 3, 1, 9, tzinfo=UTC), "landing")
            day(datetime(2024, 2, 3, 9, tzinfo=UTC), "later_picture")
            images = list((config.state_dir / "images").glob("*.png"))
            out["pictures"] = len(images)
            out["png_bytes"] = sorted(p.stat().st_size for p in images)
            lines = (config.state_dir / "dry-run.jsonl").read_text().splitlines()
            out["posts_with_pictures"] = sum('"media"' in line for line in lines)
        finally:
            pipeline.close()
print(json.dumps(out))
"""


def pictures_run() -> dict[str, float]:
    """A fresh process runs the daemon's pipeline over checks with and without pictures."""
    done = subprocess.run(
        [sys.executable, "-c", PICTURES_CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("SPACEBOT_")},
    )
    if done.returncode != 0:
        raise SystemExit(f"the pictures run failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


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
    pictures = [pictures_run() for _ in range(args.runs)]

    def median(key: str) -> float:
        return statistics.median(float(p[key]) for p in pictures)

    result = {
        "startup_to_first_heartbeat_s": statistics.median(d["startup_s"] for d in daemons),
        "idle_rss_mib": statistics.median(d["rss_mib"] for d in daemons),
        "peak_rss_mib": max(d["peak_rss_mib"] for d in daemons),
        "daily_check_s": statistics.median(checks),
        "daily_check_min_s": min(checks),
        "check_no_picture_s": median("no_picture_s"),
        "check_first_picture_s": median("first_picture_s"),
        "check_landing_s": median("landing_s"),
        "rss_no_picture_mib": median("no_picture_rss_mib"),
        "rss_first_picture_mib": median("first_picture_rss_mib"),
        "rss_landing_mib": median("landing_rss_mib"),
        "check_later_picture_s": median("later_picture_s"),
        "rss_later_picture_mib": median("later_picture_rss_mib"),
        "drawn_after_each_check": [
            pictures[0][f"{k}_drawn"]
            for k in ("no_picture", "first_picture", "landing", "later_picture")
        ],
        "pictures": pictures[0]["pictures"],
        "posts_with_pictures": pictures[0]["posts_with_pictures"],
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
        gain = result["rss_first_picture_mib"] - result["rss_no_picture_mib"]
        more = result["rss_landing_mib"] - result["rss_first_picture_mib"]
        print("with pictures (checks + delivery through the dry run, median):")
        print(
            f"  check, no picture due      {result['check_no_picture_s']:8.3f} s"
            f"   RSS {result['rss_no_picture_mib']:.1f} MiB (no child process)"
        )
        print(
            f"  check drawing 1 chart      {result['check_first_picture_s']:8.3f} s"
            f"   RSS {result['rss_first_picture_mib']:.1f} MiB (+{gain:.1f} MiB: drawn apart)"
        )
        print(
            f"  check drawing 3 charts     {result['check_landing_s']:8.3f} s"
            f"   RSS {result['rss_landing_mib']:.1f} MiB (+{more:.1f} MiB more)"
        )
        print(
            f"  a later check, 1 chart     {result['check_later_picture_s']:8.3f} s"
            f"   RSS {result['rss_later_picture_mib']:.1f} MiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
