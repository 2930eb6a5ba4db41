"""The operator's configuration (``config.yaml``): parsed, checked, immutable.

Every setting has a default (see ``config.example.yaml``), an unknown key is an
error, and every error names the file, the setting and the fix.  Sections that
belong to another part (``targets``, ``posting``) are parsed by that part.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.core.milestone import Kind
from bot.core.rules import (
    COUNTRY,
    DEFAULT_CONSECUTIVE_DAYS,
    DEFAULT_CUMULATIVE_DAYS,
    DEFAULT_SCOPES,
    Rules,
    ScopeRule,
)
from bot.errors import ConfigError, Problem
from bot.files.data import default_data_path, is_country_code

CONFIG_ENV = "SPACEBOT_CONFIG"
DEFAULT_CONFIG_NAMES = ("config.yaml", "spacebot.yaml")
_NAME = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class Announcements:
    templates: Path | None = None
    hashtags: tuple[str, ...] = ()
    group_crew: bool = True
    overflow: Literal["fallback", "thread"] = "fallback"


@dataclass(frozen=True)
class Schedule:
    check_time: time = time(9, 0)  # local time of the daily check, in Config.timezone
    post_at: Literal["crossing", "check"] = "crossing"
    misfire_grace: timedelta = timedelta(hours=6)
    catch_up_days: int = 30  # how far back a first check (empty state) looks


@dataclass(frozen=True)
class Config:
    source: str = "<defaults>"
    timezone: str = "UTC"
    data: Path = field(default_factory=default_data_path)
    state_dir: Path = Path("state")
    rules: Rules = field(default_factory=Rules)
    announcements: Announcements = field(default_factory=Announcements)
    schedule: Schedule = field(default_factory=Schedule)
    targets_raw: Any = None  # parsed by bot.posting.poster (kept raw here to keep parts apart)
    posting_raw: Any = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def scope_labels(self) -> dict[str, str]:
        return {rule.name: rule.label for rule in self.rules.scopes if rule.label}


class _Reader:
    """Walks the parsed YAML, collecting every problem rather than stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.source, where, message, fix))

    def section(self, raw: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(where, "must be a mapping of 'key: value' lines")
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                fix = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "allowed: " + ", ".join(sorted(allowed))
                )
                self.fail(f"{where}.{key}" if where else str(key), "unknown setting", fix)
            else:
                out[key] = value
        return out

    def boolean(self, raw: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"must be true or false, not {value!r}")
            return default
        return value

    def number(self, raw: dict[str, Any], key: str, where: str, default: float) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(f"{where}.{key}", f"must be a number >= 0, not {value!r}")
            return default
        return float(value)

    def days(
        self, raw: dict[str, Any], key: str, where: str, default: tuple[int, ...]
    ) -> tuple[int, ...]:
        value = raw.get(key, list(default))
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
        ):
            self.fail(
                f"{where}.{key}", "must be a list of whole numbers of days", "e.g. [100, 365]"
            )
            return default
        return tuple(sorted(set(value)))

    def words(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, "must be a list of words")
            return ()
        return tuple(value)


def find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """--config, else $SPACEBOT_CONFIG, else ./config.yaml if present, else built-in defaults."""
    chosen = explicit or env.get(CONFIG_ENV)
    if chosen:
        return Path(chosen)
    for name in DEFAULT_CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            Problem(
                source,
                "file",
                "not found",
                "check the path given with --config or SPACEBOT_CONFIG, or copy "
                "config.example.yaml to config.yaml",
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Problem(source, "file", f"cannot be read: {exc}")) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            Problem(
                source,
                where,
                f"YAML syntax error: {reason}",
                "fix the indentation, quotes or colons at that line",
            )
        ) from None
    return parse_config(raw, source, base=path.parent)


def parse_config(raw: Any, source: str, base: Path = Path()) -> Config:
    r = _Reader(source)
    top = r.section(
        raw,
        "",
        {
            "timezone",
            "data",
            "state_dir",
            "engine",
            "announcements",
            "schedule",
            "targets",
            "posting",
        },
    )
    tz = top.get("timezone", "UTC")
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(
            "timezone",
            f"unknown time zone {tz!r}",
            "use an IANA name such as UTC, America/New_York or Europe/London",
        )
        tz = "UTC"
    data = _path(top.get("data"), base, default_data_path())
    state_dir = _path(top.get("state_dir"), base, Path("state"))
    config = Config(
        source=source,
        timezone=str(tz),
        data=data,
        state_dir=state_dir,
        rules=_rules(r, top.get("engine")),
        announcements=_announcements(r, top.get("announcements"), base),
        schedule=_schedule(r, top.get("schedule")),
        targets_raw=top.get("targets"),
        posting_raw=top.get("posting"),
    )
    if r.problems:
        raise ConfigError(r.problems)
    return config


def _path(value: Any, base: Path, default: Path) -> Path:
    if value is None:
        return default
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else base / path


def _rules(r: _Reader, raw: Any) -> Rules:
    where = "engine"
    sec = r.section(
        raw,
        where,
        {
            "include_suborbital",
            "grace_days",
            "kinds",
            "consecutive_days",
            "cumulative_days",
            "scopes",
        },
    )
    kinds = frozenset(Kind)
    if "kinds" in sec:
        names = r.words(sec["kinds"], f"{where}.kinds")
        known = {k.value: k for k in Kind}
        bad = [n for n in names if n not in known]
        if bad:
            r.fail(
                f"{where}.kinds",
                f"unknown kind(s): {', '.join(bad)}",
                "known kinds: " + ", ".join(known),
            )
        kinds = frozenset(known[n] for n in names if n in known)
    return Rules(
        scopes=_scopes(r, sec.get("scopes"), f"{where}.scopes"),
        consecutive_days=r.days(sec, "consecutive_days", where, DEFAULT_CONSECUTIVE_DAYS),
        cumulative_days=r.days(sec, "cumulative_days", where, DEFAULT_CUMULATIVE_DAYS),
        include_suborbital=r.boolean(sec, "include_suborbital", where, False),
        grace=timedelta(days=r.number(sec, "grace_days", where, 3)),
        kinds=kinds,
    )


def _scopes(r: _Reader, raw: Any, where: str) -> tuple[ScopeRule, ...]:
    if raw is None:
        return DEFAULT_SCOPES
    if not isinstance(raw, list) or not raw:
        r.fail(
            where,
            "must be a non-empty list of scopes, widest first",
            "e.g. [{name: world}, {name: country, per: country}, {name: women, gender: female}]",
        )
        return DEFAULT_SCOPES
    out: list[ScopeRule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        w = f"{where}[{i}]"
        sec = r.section(item, w, {"name", "label", "per", "countries", "gender", "tags", "people"})
        name = sec.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            r.fail(
                f"{w}.name",
                "every scope needs a name of lowercase letters, digits and '-'",
                "e.g. name: europe",
            )
            continue
        if name in seen or (is_country_code(name.upper()) and len(name) == 2):
            r.fail(
                f"{w}.name",
                f"scope name '{name}' is used twice or clashes with a country code",
                "choose another name",
            )
        seen.add(name)
        per = sec.get("per")
        if per not in (None, COUNTRY):
            r.fail(f"{w}.per", f"unknown value {per!r}", "the only value is 'country'")
        countries = r.words(sec.get("countries"), f"{w}.countries")
        for code in countries:
            if not is_country_code(code):
                r.fail(
                    f"{w}.countries",
                    f"unknown country code '{code}'",
                    "use ISO 3166-1 alpha-2 codes in capitals, e.g. FR, DE, IT",
                )
        genders = r.words(sec.get("gender"), f"{w}.gender")
        for g in genders:
            if g not in ("male", "female"):
                r.fail(f"{w}.gender", f"unknown gender '{g}'", "use male or female")
        label = sec.get("label", "")
        if not isinstance(label, str):
            r.fail(f"{w}.label", "must be text", 'e.g. label: "the European record"')
            label = ""
        out.append(
            ScopeRule(
                name=name,
                label=label,
                per_country=per == COUNTRY,
                countries=frozenset(countries),
                genders=frozenset(genders),
                tags=frozenset(r.words(sec.get("tags"), f"{w}.tags")),
                people=frozenset(r.words(sec.get("people"), f"{w}.people")),
            )
        )
    return tuple(out) or DEFAULT_SCOPES


def _announcements(r: _Reader, raw: Any, base: Path) -> Announcements:
    where = "announcements"
    sec = r.section(raw, where, {"templates", "hashtags", "group_crew", "overflow"})
    overflow = sec.get("overflow", "fallback")
    if overflow not in ("fallback", "thread"):
        r.fail(f"{where}.overflow", f"unknown value {overflow!r}", "use fallback or thread")
        overflow = "fallback"
    hashtags = r.words(sec.get("hashtags"), f"{where}.hashtags")
    for tag in hashtags:
        if not re.fullmatch(r"#\w+", tag):
            r.fail(f"{where}.hashtags", f"'{tag}' is not a hashtag", "write it as '#ISS'")
    templates = sec.get("templates")
    return Announcements(
        templates=_path(templates, base, Path()) if templates else None,
        hashtags=hashtags,
        group_crew=r.boolean(sec, "group_crew", where, True),
        overflow="thread" if overflow == "thread" else "fallback",
    )


def _schedule(r: _Reader, raw: Any) -> Schedule:
    where = "schedule"
    sec = r.section(raw, where, {"check_time", "post_at", "misfire_grace_minutes", "catch_up_days"})
    check_time = time(9, 0)
    value = sec.get("check_time", "09:00")
    if isinstance(value, int):  # YAML 1.1 reads 09:00 unquoted as sexagesimal minutes
        value = f"{value // 60:02d}:{value % 60:02d}"
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value))
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        check_time = time(int(match[1]), int(match[2]))
    else:
        r.fail(f"{where}.check_time", f"not a time of day: {value!r}", 'use "HH:MM", e.g. "09:00"')
    post_at = sec.get("post_at", "crossing")
    if post_at not in ("crossing", "check"):
        r.fail(f"{where}.post_at", f"unknown value {post_at!r}", "use crossing or check")
        post_at = "crossing"
    return Schedule(
        check_time=check_time,
        post_at="check" if post_at == "check" else "crossing",
        misfire_grace=timedelta(minutes=r.number(sec, "misfire_grace_minutes", where, 360)),
        catch_up_days=int(r.number(sec, "catch_up_days", where, 30)),
    )
