"""Commands against the YAML floor, as fresh processes, measured in one run (by hand).

    python bench/commands_bench.py                      # this checkout
    python bench/commands_bench.py --other /tmp/base    # and another checkout, same run
    python bench/commands_bench.py --other /tmp/base --other-python /tmp/basevenv/bin/python
                                        # ...whose dependencies differ (a venv of its own)

The floor is a fresh interpreter that parses the bundled history with PyYAML's C
loader and nothing else: no command that reads the data can be faster without a
cache.  Each figure is the best of ``--runs`` fresh processes; the ratio is to the
floor measured in the same run, so the figures of two checkouts compare.  "warm" runs
use the dataset cache (filled by a first run), "cold" ones an empty cache each time.
Results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

COMMANDS: dict[str, list[str]] = {
    "preview (all history, JSON)": [
        "preview",
        "--from",
        "1961-01-01",
        "--to",
        "2026-07-03",
        "--format",
        "json",
    ],
    "--help": ["--help"],
    "leaderboard": ["leaderboard", "--kind", "cumulative", "--at", "2026-07-03"],
    "upcoming": ["upcoming", "--days", "90"],
    "validate": ["validate", "--no-credentials"],
}


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2) or (done.returncode == 2 and argv[-1] != "--help"):
        sys.exit(f"{argv} failed in {cwd}: {done.stderr.decode()[-500:]}")
    return elapsed


def best(argv: list[str], cwd: Path, env: dict[str, str], runs: int, cold: bool) -> float:
    times = []
    for _ in range(runs):
        if cold:
            env = {**env, "SPACEBOT_CACHE_DIR": tempfile.mkdtemp(prefix="spacebot-cold-")}
        times.append(run(argv, cwd, env))
    return min(times)


def floor(checkout: Path, env: dict[str, str], runs: int, python: str) -> float:
    files = sorted((checkout / "schedules").glob("*.yaml"))
    code = (
        "import yaml, sys\n"
        "for f in sys.argv[1:]:\n"
        "    yaml.load(open(f, encoding='utf-8'), Loader=yaml.CSafeLoader)\n"
    )
    return best([python, "-c", code, *map(str, files)], checkout, env, runs, False)


def measure(checkout: Path, runs: int, python: str) -> dict[str, tuple[float, float]]:
    cache = tempfile.mkdtemp(prefix="spacebot-warm-")
    env = {**os.environ, "PYTHONPATH": str(checkout), "SPACEBOT_CACHE_DIR": cache, "NO_COLOR": "1"}
    env.pop("SPACEBOT_CONFIG", None)
    out: dict[str, tuple[float, float]] = {"YAML floor": (floor(checkout, env, runs, python), 0.0)}
    for label, args in COMMANDS.items():
        argv = [python, "-m", "bot", *args]
        run(argv, checkout, env)  # fill the cache
        warm = best(argv, checkout, env, runs, cold=False)
        cold = best(argv, checkout, env, runs, cold=True)
        out[label] = (warm, cold)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", type=Path, help="another checkout to measure in the same run")
    parser.add_argument(
        "--other-python", default=sys.executable, help="the interpreter for --other"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    checkouts = [(HERE, sys.executable)] + ([(args.other, args.other_python)] if args.other else [])
    results = {c: measure(c, args.runs, python) for c, python in checkouts}
    for checkout, figures in results.items():
        base = figures["YAML floor"][0]
        print(f"\n{checkout}  (best of {args.runs} fresh processes)")
        print(f"  {'YAML floor':<30} {base:6.3f} s")
        for label, (warm, cold) in figures.items():
            if label == "YAML floor":
                continue
            print(
                f"  {label:<30} {warm:6.3f} s  {warm / base:4.1f}x   "
                f"(empty cache: {cold:6.3f} s  {cold / base:4.1f}x)"
            )


if __name__ == "__main__":
    main()
