"""The engine and the renderer on the bundled history, and how the engine scales (by hand).

    python bench/engine_bench.py
    python bench/engine_bench.py --checkout /tmp/base   # another checkout's code

Figures (best of ``--runs``, in-process, after a first warm-up):

* the parts of a full-history preview: data load from the cache and from YAML, engine,
  render for each platform, JSON lines;
* one daily check's engine call (a window of a day and a half on a day with a crew in
  space);
* scaling, as ratios to the engine on the history: 16 shifted copies of the history
  (copy k has new ids and every instant moved k steps later), once 70 years apart (16
  histories one after another) and once a week apart (the copies overlap: 16 times as
  many people in space at once, and each copy's records broken by the next), and the
  history plus 200 people in space at once for ten years (2030-2040: the people-in-space
  structure at work).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HISTORY = (datetime(1961, 1, 1, tzinfo=UTC), datetime(2026, 7, 4, tzinfo=UTC))


def best(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(args.checkout))
    os.environ["SPACEBOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="spacebot-bench-")

    import bot

    print(f"{args.checkout}: bot from {Path(bot.__file__).parent}")
    if (args.checkout / "bot" / "core").is_dir():
        from bot.core.engine import find_milestones
        from bot.core.model import Dataset, Flight, Person
        from bot.core.rules import Rules
        from bot.files.data import default_data_path, load_dataset
    else:  # the layout before issue 8
        from bot.data import default_data_path, load_dataset  # type: ignore[no-redef]
        from bot.engine import find_milestones  # type: ignore[no-redef]
        from bot.model import Dataset, Flight, Person  # type: ignore[no-redef]
        from bot.rules import Rules  # type: ignore[no-redef]

    runs = args.runs
    rules = Rules()
    print(f"best of {runs}")
    load_s, ds = best(lambda: load_dataset(default_data_path()), runs)
    print(f"  load the bundled data (cached)        {load_s * 1000:8.1f} ms")
    try:
        from bot.files import data as data_module

        cold_s, _ = best(lambda: data_module._validate(*_files(data_module)), runs)
        print(f"  load the bundled data (parse+check)   {cold_s * 1000:8.1f} ms")
    except (ImportError, AttributeError):
        pass
    engine_s, result = best(lambda: find_milestones(ds, rules, *HISTORY), runs)
    print(
        f"  engine, all history                   {engine_s * 1000:8.1f} ms "
        f"({len(result.milestones)} milestones)"
    )
    _render(result.milestones, runs)

    day = datetime(2026, 6, 1, 9, tzinfo=UTC)
    daily_s, daily = best(
        lambda: find_milestones(ds, rules, day - timedelta(days=1), day + timedelta(hours=30)),
        runs,
    )
    print(
        f"  engine, one daily check               {daily_s * 1000:8.1f} ms "
        f"({len(daily.milestones)} milestones)"
    )

    def shifted(k: int, step: timedelta) -> list[Person]:
        delta = step * k
        return [
            dataclasses.replace(
                p,
                id=f"{p.id}-c{k}",
                flights=tuple(
                    dataclasses.replace(
                        f,
                        launch=f.launch + delta,
                        landing=f.landing + delta if f.landing else None,
                        planned_landing=f.planned_landing + delta if f.planned_landing else None,
                    )
                    for f in p.flights
                ),
            )
            for p in ds.people
        ]

    for label, step in (
        ("apart (70 years)", timedelta(days=70 * 365)),
        ("overlapping (weeks)", timedelta(weeks=1)),
    ):
        copies = Dataset(
            as_of=ds.as_of + step * 16,
            people=tuple(p for k in range(16) for p in shifted(k, step)),
        )
        end = HISTORY[1] + step * 16
        copies_s, _ = best(
            lambda copies=copies, end=end: find_milestones(copies, rules, HISTORY[0], end), runs
        )
        print(
            f"  16 copies, {label:<20}       {copies_s * 1000:8.1f} ms  "
            f"{copies_s / engine_s:5.1f}x the history"
        )

    start = datetime(2030, 1, 1, tzinfo=UTC)
    crowd = tuple(
        Person(
            id=f"future-{i}",
            name=f"Future Person {i}",
            country=("US", "RU", "CN", "FR", "JP", "IN")[i % 6],
            gender="female" if i % 3 == 0 else "male",
            flights=(
                Flight(
                    mission=f"Station {i % 10}",
                    launch=start + timedelta(hours=7 * i),
                    landing=start + timedelta(days=3652, hours=5 * i),
                ),
            ),
        )
        for i in range(200)
    )
    future = Dataset(as_of=ds.as_of, people=ds.people + crowd)
    future_end = datetime(2041, 1, 1, tzinfo=UTC)
    base_s, _ = best(lambda: find_milestones(ds, rules, HISTORY[0], future_end), runs)
    future_s, _ = best(lambda: find_milestones(future, rules, HISTORY[0], future_end), runs)
    print(
        f"  history + 200 in space for ten years  {future_s * 1000:8.1f} ms  "
        f"{future_s / base_s:5.1f}x the history to 2041"
    )


def _files(data_module: Any) -> tuple[list[Path], list[str]]:
    files = data_module.data_files(data_module.default_data_path())
    return files, [f.read_text(encoding="utf-8") for f in files]


def _render(milestones: list[Any], runs: int) -> None:
    try:
        from bot.core import platforms
        from bot.core.render import render
        from bot.files.templates import load_templates
    except ImportError:
        return
    templates = load_templates(None)
    for name in platforms.publishing():
        spec = platforms.spec(name)
        took, posts = best(lambda spec=spec: render(milestones, templates, spec), runs)
        print(f"  render for {name:<10}                 {took * 1000:8.1f} ms ({len(posts)} posts)")
    took, _ = best(lambda: [json.dumps(m.key) for m in milestones], runs)


if __name__ == "__main__":
    main()
