"""The platforms' own conformance cases, run against bot.core.text_length.

Fixtures and their origin: tests/fixtures/conformance/README.md.  Each case is one test,
named by its section, so ``pytest -v`` gives passed/total per section.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import _entities, _tlds
from bot.core.text_length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    X_V3,
    XConfig,
    grapheme_count,
    mastodon_length,
    problem,
    utf8_length,
    x_invalid_character,
    x_weighted_length,
)

FIXTURES = Path(__file__).parent / "fixtures" / "conformance"
TWITTER = FIXTURES / "twitter-text"


@cache
def _yaml(name: str) -> dict[str, list[dict[str, Any]]]:
    with (TWITTER / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)["tests"]  # type: ignore[no-any-return]


def _config(version: int) -> XConfig:
    raw = json.loads((TWITTER / f"config-v{version}.json").read_text("utf-8"))
    return XConfig(
        max_weighted_length=raw["maxWeightedTweetLength"],
        scale=raw["scale"],
        default_weight=raw["defaultWeight"],
        transformed_url_length=raw["transformedURLLength"],
        emoji_parsing=bool(raw.get("emojiParsingEnabled", False)),
        ranges=tuple((r["start"], r["end"], r["weight"]) for r in raw["ranges"]),
    )


def _cases(name: str, section: str) -> list[Any]:
    return [
        pytest.param(case, id=f"{section}-{i:03d}")
        for i, case in enumerate(_yaml(name)[section], 1)
    ]


def test_x_v3_is_the_published_configuration() -> None:
    assert _config(3) == X_V3


# -- X: validate.yml ---------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("validate.yml", "WeightedTweetsCounterTest"))
def test_weighted_counter_v2(case: dict[str, Any]) -> None:
    """twitter-text runs this section with config v2 (no emoji parsing)."""
    config = _config(2)
    length = x_weighted_length(case["text"], config)
    valid = x_invalid_character(case["text"]) is None and length <= config.max_weighted_length
    assert (length, valid) == (case["expected"]["weightedLength"], case["expected"]["valid"])


@pytest.mark.parametrize(
    "case",
    _cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest")
    + _cases("validate.yml", "UnicodeDirectionalMarkerCounterTest"),
)
def test_weighted_counter_v3(case: dict[str, Any]) -> None:
    """These sections run with config v3, X's: checked through the public functions."""
    assert x_weighted_length(case["text"]) == case["expected"]["weightedLength"]
    assert (problem(case["text"], "x", 280) is None) == case["expected"]["valid"]


@pytest.mark.parametrize("case", _cases("validate.yml", "tweets"))
def test_legacy_tweets(case: dict[str, Any]) -> None:
    """The ``tweets`` section is twitter-text's deprecated ``valid_tweet_text?``: config
    v1 (every code point 1, links 23, at most 140), and an empty text is invalid."""
    text, config = case["text"], _config(1)
    valid = (
        bool(text)
        and x_invalid_character(text) is None
        and x_weighted_length(text, config) <= config.max_weighted_length
    )
    assert valid == case["expected"]


# -- X: which links the extractor takes ---------------------------------------------


def _extracted(text: str, rules: _entities.UrlRules = _entities.X_URLS) -> list[str]:
    return [text[s:e] for s, e in _entities.extract_urls(text, rules)]


_EXTRACT_SECTIONS = ("urls", "urls_with_directional_markers", "tco_urls_with_params")


@pytest.mark.parametrize(
    "case", [c for section in _EXTRACT_SECTIONS for c in _cases("extract.yml", section)]
)
def test_extract_urls(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected and isinstance(expected[0], dict):  # with indices
        found = _entities.extract_urls(case["text"], _entities.X_URLS)
        assert [list(span) for span in found] == [e["indices"] for e in expected]
        expected = [e["url"] for e in expected]
    assert _extracted(case["text"]) == expected


@pytest.mark.parametrize("case", _cases("extract.yml", "urls_with_indices"))
def test_extract_urls_with_indices(case: dict[str, Any]) -> None:
    found = _entities.extract_urls(case["text"], _entities.X_URLS)
    assert [list(span) for span in found] == [e["indices"] for e in case["expected"]]


@pytest.mark.parametrize("case", _cases("tlds.yml", "country") + _cases("tlds.yml", "generic"))
def test_tlds(case: dict[str, Any]) -> None:
    """Every TLD twitter-text knows ends a link, on X and (with a scheme) on Mastodon."""
    assert _extracted(case["text"]) == case["expected"]
    assert _extracted(case["text"], _entities.MASTODON_URLS) == case["expected"]


def test_tld_module_is_generated_from_the_fixture() -> None:
    with (TWITTER / "tld_lib.yml").open(encoding="utf-8") as f:
        lib = yaml.safe_load(f)
    assert (tuple(lib["country"]), tuple(lib["generic"])) == (_tlds.COUNTRY, _tlds.GENERIC)


# -- Bluesky --------------------------------------------------------------------------


@cache
def _atproto() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(
        (FIXTURES / "atproto" / "lengths.json").read_text("utf-8")
    )
    return data


def _atproto_cases(section: str) -> list[Any]:
    return [pytest.param(c, id=f"{section}-{i:03d}") for i, c in enumerate(_atproto()[section], 1)]


def test_bluesky_limits_are_the_lexicons() -> None:
    lexicon = json.loads((FIXTURES / "atproto" / "app.bsky.feed.post.json").read_text("utf-8"))
    text = lexicon["defs"]["main"]["record"]["properties"]["text"]
    assert (text["maxLength"], text["maxGraphemes"]) == (BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES)


@pytest.mark.parametrize("case", _atproto_cases("graphemes"))
def test_bluesky_graphemes(case: dict[str, Any]) -> None:
    assert grapheme_count(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _atproto_cases("utf8_bytes"))
def test_bluesky_utf8_bytes(case: dict[str, Any]) -> None:
    assert utf8_length(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _atproto_cases("lexicon_constraints"))
def test_bluesky_lexicon_constraints(case: dict[str, Any]) -> None:
    text = case["text"]
    n = utf8_length(text) if case["count"] == "bytes" else grapheme_count(text)
    low, high = case["min"], case["max"]
    ok = (low is None or n >= low) and (high is None or n <= high)
    assert ok == case["valid"]


# -- Mastodon -------------------------------------------------------------------------


def _mastodon_cases() -> list[Any]:
    data = json.loads(
        (FIXTURES / "mastodon" / "status_length_validator_spec.json").read_text("utf-8")
    )
    return [
        pytest.param(data["max_chars"], c, id=f"status_length_validator_spec-{i:03d}")
        for i, c in enumerate(data["cases"], 1)
    ]


def _joined(parts: list[tuple[str, int]]) -> str:
    return "".join(s * n for s, n in parts)


@pytest.mark.parametrize(("max_chars", "case"), _mastodon_cases())
def test_mastodon_spec(max_chars: int, case: dict[str, Any]) -> None:
    length = mastodon_length(_joined(case["text"]), _joined(case["spoiler_text"]))
    assert (length <= max_chars) == case["valid"], length
    if not case["spoiler_text"]:
        assert (problem(_joined(case["text"]), "mastodon", max_chars) is None) == case["valid"]
