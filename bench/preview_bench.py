"""Benchmark: preview of all of history (1961-2026) in JSON, and its parts.

Run by hand:  python bench/preview_bench.py
Prints the whole command's wall time (a fresh process, as a user runs it), and the
load, engine and render times measured in-process (best of 5).
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

from bot.core.engine import find_milestones
from bot.core.render import PlatformSpec, render
from bot.core.rules import Rules
from bot.core.templates import load_templates
from bot.files.data import default_data_path, load_dataset

START, END = datetime(1961, 1, 1, tzinfo=UTC), datetime(2026, 7, 4, tzinfo=UTC)


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    cmd = [
        sys.executable,
        "-m",
        "bot",
        "preview",
        "--from",
        "1961-01-01",
        "--to",
        "2026-07-03",
        "--format",
        "json",
    ]
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        walls.append(time.perf_counter() - t0)
    print(
        f"whole command (fresh process), best of 5: {min(walls):.3f} s, "
        f"{len(out.splitlines())} JSON lines"
    )
    load_s, ds = best(lambda: load_dataset(default_data_path()))
    engine_s, result = best(lambda: find_milestones(ds, Rules(), START, END))
    templates = load_templates(None)
    render_s, posts = best(
        lambda: render(result.milestones, templates, PlatformSpec.for_platform("x"))
    )
    print(f"load data: {load_s:.3f} s ({len(ds.people)} people)")
    print(f"engine:    {engine_s:.3f} s ({len(result.milestones)} milestones)")
    print(f"render x:  {render_s:.3f} s ({len(posts)} posts)")


if __name__ == "__main__":
    main()
