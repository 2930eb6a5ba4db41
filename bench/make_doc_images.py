"""Draw the example charts in docs/images/ from the bundled history (run by hand).

    python bench/make_doc_images.py [--out docs/images]

Each chart is written as NAME.png with its alt text (Mastodon's limit, the roomiest)
in NAME.txt.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.engine import find_milestones, standings
from bot.core.milestone import Kind, Milestone
from bot.core.model import Dataset
from bot.core.platforms import alt_text_limit
from bot.core.rules import Rules
from bot.files.data import default_data_path, load_dataset
from bot.images import alt_text, mission_chart, record_chart
from bot.images.charts import Chart
from bot.images.draw import draw

ROOT = Path(__file__).resolve().parent.parent


def find(dataset: Dataset, rules: Rules, day: str, test: Callable[[Milestone], bool]) -> Milestone:
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    end = start.replace(hour=23, minute=59, second=59)
    found = [m for m in find_milestones(dataset, rules, start, end).milestones if test(m)]
    if not found:
        raise SystemExit(f"no such milestone on {day}")
    return found[0]


def record(dataset: Dataset, rules: Rules, m: Milestone) -> Chart:
    rows = standings(dataset, rules, m.kind.measure, m.scopes[0], m.at)
    return record_chart(m, rows, timezone="UTC")


def examples(dataset: Dataset, rules: Rules) -> dict[str, Chart]:
    kelly_us = find(
        dataset,
        rules,
        "2015-10-15",
        lambda m: m.person == "scott-kelly" and m.kind is Kind.RECORD_CUMULATIVE,
    )
    kononenko = find(
        dataset,
        rules,
        "2024-02-04",
        lambda m: m.person == "oleg-kononenko" and m.kind is Kind.RECORD_CUMULATIVE,
    )
    landing = find(
        dataset,
        rules,
        "2016-03-02",
        lambda m: m.person == "scott-kelly" and m.kind is Kind.MISSION_END,
    )
    return {
        "record-us-kelly-2015-10-15": record(dataset, rules, kelly_us),
        "record-world-kononenko-2024-02-04": record(dataset, rules, kononenko),
        "mission-end-kelly-2016-03-02": mission_chart(
            landing, dataset.person("scott-kelly"), timezone="UTC"
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    dataset = load_dataset(default_data_path())
    limit = alt_text_limit("mastodon")
    for name, chart in examples(dataset, Rules()).items():
        png = draw(chart)
        (args.out / f"{name}.png").write_bytes(png)
        (args.out / f"{name}.txt").write_text(alt_text(chart, limit) + "\n", encoding="utf-8")
        print(f"{name}.png  {len(png):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
