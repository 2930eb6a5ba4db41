"""Benchmark: time per call of text_length.fits / measure on typical post texts.

Run by hand:  python bench/text_length_bench.py [--old COMMIT]

The texts: every post of the bundled history (1961-2026) as the renderer words it for
each platform, plus the candidate texts a thread split tries (each text cut at every
word, as the packing does).  For each counter it prints microseconds per call:

* cold: the memo caches emptied before each pass (each distinct text computed once);
* warm: the same texts again, as when the renderer retries a candidate;
* per kind of text: plain ASCII (the fast path), other plain text, with a link, with
  an emoji (the history has neither: 500 posts are added with each).

``--old COMMIT`` also times the implementation at that commit (before this rewrite:
``4f0c866``; needs its dependencies, twitter-text-parser and grapheme, installed: they
do not install on Python 3.12+).  Its counters were x, graphemes, chars.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bot.core import text_length
from bot.core.engine import find_milestones
from bot.core.render import PlatformSpec, render
from bot.core.rules import Rules
from bot.core.templates import load_templates
from bot.files.data import default_data_path, load_dataset

START, END = datetime(1961, 1, 1, tzinfo=UTC), datetime(2026, 7, 4, tzinfo=UTC)
OLD_NAMES = {"x": "x", "mastodon": "chars", "bluesky": "graphemes"}


def post_texts() -> dict[str, list[str]]:
    """Rendered posts per platform, and the word-prefix candidates of each."""
    data = load_dataset(default_data_path())
    milestones = find_milestones(data, Rules(), START, END).milestones
    templates = load_templates(None)
    texts: dict[str, list[str]] = {}
    for platform in ("x", "mastodon", "bluesky"):
        posts = render(milestones, templates, PlatformSpec.for_platform(platform))
        whole = [part for post in posts for part in post.parts]
        candidates = []
        for t in whole:
            words = t.split()
            candidates += [" ".join(words[:i]) for i in range(1, len(words))]
        # The history has no links or emoji: add each post with a link, and with an emoji.
        extras = [f"{t} https://www.nasa.gov/iss/" for t in whole[:500]]
        extras += [f"🚀 {t}" for t in whole[:500]]
        texts[platform] = whole + candidates + extras
    return texts


def clear_caches(module: ModuleType) -> None:
    for name in dir(module):
        obj = getattr(module, name)
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()


def per_call_us(fn: Callable[[str], object], texts: list[str], module: ModuleType) -> float:
    clear_caches(module)
    t0 = time.perf_counter()
    for t in texts:
        fn(t)
    return (time.perf_counter() - t0) / len(texts) * 1e6


def load_old(commit: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{commit}:bot/core/text_length.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_text_length.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location("old_text_length", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kind(text: str) -> str:
    if "http" in text or ".gov" in text or ".com" in text:
        return "link"
    if "🚀" in text:
        return "emoji"
    return "ascii" if text.isascii() else "non-ascii"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", help="also time bot/core/text_length.py at this commit")
    args = parser.parse_args()
    old = load_old(args.old) if args.old else None
    texts = post_texts()
    limits = {"x": 280, "mastodon": 500, "bluesky": 300}
    print(
        f"python {sys.version.split()[0]}; texts per platform:",
        {p: len(t) for p, t in texts.items()},
    )
    print(
        f"{'counter':<10}{'impl':<6}{'fits cold':>11}{'fits warm':>11}{'measure cold':>14}", end=""
    )
    print("   fits cold by kind (us/call, count)")
    for counter, sample in texts.items():
        limit = limits[counter]
        impls: list[tuple[str, ModuleType, str]] = [("new", text_length, counter)]
        if old is not None:
            impls.append(("old", old, OLD_NAMES[counter]))
        for label, module, name in impls:
            fits = module.fits
            cold = per_call_us(lambda t, f=fits, n=name, lim=limit: f(t, n, lim), sample, module)
            t0 = time.perf_counter()
            for t in sample:
                fits(t, name, limit)
            warm = (time.perf_counter() - t0) / len(sample) * 1e6
            meas = per_call_us(lambda t, m=module.measure, n=name: m(t, n), sample, module)
            by_kind = []
            for k in ("ascii", "non-ascii", "link", "emoji"):
                subset = [t for t in sample if kind(t) == k]
                if subset:
                    us = per_call_us(
                        lambda t, f=fits, n=name, lim=limit: f(t, n, lim), subset, module
                    )
                    by_kind.append(f"{k} {us:.1f} ({len(subset)})")
            print(f"{counter:<10}{label:<6}{cold:>11.1f}{warm:>11.1f}{meas:>14.1f}   ", end="")
            print(", ".join(by_kind))


if __name__ == "__main__":
    main()
