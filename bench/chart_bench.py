"""Benchmark of the charts, run by hand (not by the tests):

* the time to draw one record chart and one mission chart (target: under 0.3 s each),
  median of ``--runs`` draws after a first, warm-up draw;
* the first draw in a process, matplotlib's import and font set-up included;
* the resident memory (VmRSS) a process gains from importing matplotlib and drawing.

    python bench/chart_bench.py [--runs 20] [--json]

Each measurement runs in a fresh subprocess, so the memory figures are the process's
own.  The charts are those of docs/images/ (Scott Kelly's US record of 2015-10-15 and
his landing of 2016-03-02), built from the bundled history.  Linux (/proc) for memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, statistics, sys, time
from pathlib import Path

def rss_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

sys.path.insert(0, "bench")
from make_doc_images import examples
from bot.core.rules import Rules
from bot.files.data import default_data_path, load_dataset

charts = examples(load_dataset(default_data_path()), Rules())
record = charts["record-us-kelly-2015-10-15"]
mission = charts["mission-end-kelly-2016-03-02"]
assert "matplotlib" not in sys.modules
before = rss_kib()

t0 = time.perf_counter()
from bot.images.draw import draw
first_png = draw(record)
first = time.perf_counter() - t0
after_first = rss_kib()

def median(chart, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        draw(chart)
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times)

runs = int(sys.argv[1])
record_med, record_max = median(record, runs)
mission_med, mission_max = median(mission, runs)
print(json.dumps({
    "first_draw_s": first,
    "record_median_s": record_med, "record_max_s": record_max,
    "mission_median_s": mission_med, "mission_max_s": mission_max,
    "rss_before_kib": before, "rss_after_first_draw_kib": after_first,
    "rss_after_all_kib": rss_kib(),
    "png_bytes": len(first_png),
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(args.runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(out.stdout)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    gain = (r["rss_after_first_draw_kib"] - r["rss_before_kib"]) / 1024
    gain_all = (r["rss_after_all_kib"] - r["rss_before_kib"]) / 1024
    print(f"first draw (import matplotlib, fonts, draw): {r['first_draw_s']:.3f} s")
    print(
        f"record chart:  median {r['record_median_s']:.3f} s, "
        f"max {r['record_max_s']:.3f} s ({args.runs} draws)"
    )
    print(
        f"mission chart: median {r['mission_median_s']:.3f} s, "
        f"max {r['mission_max_s']:.3f} s ({args.runs} draws)"
    )
    print(
        f"RSS: {r['rss_before_kib'] / 1024:.1f} MiB before matplotlib, "
        f"+{gain:.1f} MiB after the first draw, +{gain_all:.1f} MiB after all draws"
    )
    print(f"PNG: {r['png_bytes']:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
