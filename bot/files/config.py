"""The operator's configuration (``config.yaml``): found, read, checked, immutable.

:func:`load_config` is the one way in, for every command and for the daemon's reload:
``--config``, else ``$SPACEBOT_CONFIG``, else ``./config.yaml`` if present, else the
built-in defaults; then ``$SPACEBOT_STATE_DIR`` (containers) and ``--data`` override.
Every setting has a default (see ``config.example.yaml``), an unknown key is an error,
and every section is checked whatever the command (a dry run skips only credentials),
each error naming the file, the setting and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.fields import OVERFLOWS, RenderSettings, hashtag
from bot.core.milestone import Kind
from bot.core.model import GENDERS
from bot.core.rules import COUNTRY, DEFAULT_SCOPES, Rules, ScopeRule
from bot.core.wording import WOMEN, WORLD, label_adjective
from bot.env import WORDS as FLAG_WORDS
from bot.env import flag
from bot.errors import ConfigError, Problem
from bot.files import yamlfile
from bot.files.data import default_data_path, is_country_code
from bot.files.targets import (
    DEFAULT_LANGUAGE,
    ImageSettings,
    PostingConfig,
    TargetConfig,
    language_problem,
    parse_images,
    parse_posting,
    parse_targets,
    rehearsal_target,
)
from bot.files.yamlfile import SectionReader

CONFIG_ENV = "SPACEBOT_CONFIG"
STATE_DIR_ENV = "SPACEBOT_STATE_DIR"
DEFAULT_CONFIG_NAMES = ("config.yaml", "spacebot.yaml")
DEFAULTS_SOURCE = "<defaults>"
LL2_TOKEN_ENV = "SPACEBOT_LL2_TOKEN"  # Launch Library 2's optional API key (or ..._FILE)
TOKEN_WHERE = "sources.ll2 (Launch Library 2 API key)"


def token_given(env: Mapping[str, str]) -> bool:
    """Whether an LL2 API key is set (it is optional)."""
    return LL2_TOKEN_ENV in env or f"{LL2_TOKEN_ENV}_FILE" in env


OFFLINE_ENV = "SPACEBOT_OFFLINE"  # on (bot.env.flag): no request to a data source
TOP_KEYS = (
    "timezone",
    "data",
    "state_dir",
    "engine",
    "announcements",
    "schedule",
    "targets",
    "posting",
    "sources",
)


@dataclass(frozen=True)
class Schedule:
    check_time: time = time(9, 0)  # local time of the daily check, in Config.timezone
    post_at: Literal["crossing", "check"] = "crossing"
    misfire_grace: timedelta = timedelta(hours=6)
    catch_up_days: int = 30  # how far back a first check (empty state) looks


@dataclass(frozen=True)
class LL2Settings:
    """``sources.ll2``: the live source (Launch Library 2) and the trust rules."""

    enabled: bool = True  # false: no live data at all (the overlay is ignored too)
    base_url: str = "https://ll.thespacedevs.com/2.3.0/"
    timeout: float = 30.0  # seconds per request
    frequent_sync: timedelta = timedelta(hours=1)  # while a landing or a launch is due
    confirm_after: timedelta = timedelta(hours=12)  # records need two syncs this far apart
    max_flight: timedelta = timedelta(days=730)  # a longer flight is implausible
    max_shift: timedelta = timedelta(hours=1)  # an instant moving more than this is held
    max_total_difference: timedelta = timedelta(days=1)  # LL2's time_in_space vs ours
    stale_after: timedelta = timedelta(days=3)  # health fails past this without a good sync


@dataclass(frozen=True)
class Config:
    source: str = DEFAULTS_SOURCE  # the file, or "<defaults>"
    path: Path | None = None  # the file read (None: built-in defaults)
    data: Path = field(default_factory=default_data_path)
    state_dir: Path = Path("state")
    rules: Rules = field(default_factory=Rules)
    templates: Path | None = None  # the operator's template file
    render: RenderSettings = field(default_factory=RenderSettings)
    schedule: Schedule = field(default_factory=Schedule)
    targets: tuple[TargetConfig, ...] = field(default_factory=lambda: (rehearsal_target(),))
    posting: PostingConfig = field(default_factory=PostingConfig)
    images: ImageSettings = field(default_factory=ImageSettings)  # announcements.images
    ll2: LL2Settings = field(default_factory=LL2Settings)
    overlay: bool = True  # lay the live overlay over ``data`` (not when --data was given)
    offline: bool = False  # make no request to a data source (use what was synced)

    @property
    def live(self) -> bool:
        """Whether live data is in use (the overlay read, syncs made unless offline)."""
        return self.ll2.enabled and self.overlay

    @property
    def timezone(self) -> str:
        return self.render.timezone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def images_for(self, target: TargetConfig) -> ImageSettings:
        """Which of ``target``'s posts carry a chart: its own ``images`` over
        ``announcements.images``."""
        return replace(self.images, **target.images) if target.images else self.images

    def rehearsal(self) -> Config:
        """The same configuration posting only through a dry-run target (``--dry-run``)."""
        return replace(self, targets=(rehearsal_target(),))


def find_config(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """--config, else $SPACEBOT_CONFIG, else ./config.yaml if present, else None (defaults)."""
    chosen = explicit or env.get(CONFIG_ENV)
    if chosen:
        return Path(chosen)
    for name in DEFAULT_CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None


def load_config(
    explicit: str | None,
    env: Mapping[str, str],
    *,
    data: str | Path | None = None,
    offline: bool = False,
) -> Config:
    """The configuration every command and the daemon use; :class:`ConfigError` with every
    problem found.  ``data`` (``--data``) replaces the bundled data AND the live overlay;
    ``offline`` (``--offline`` or ``$SPACEBOT_OFFLINE``) stops requests to data sources."""
    path = find_config(explicit, env)
    config = Config() if path is None else _read(path)
    state_dir = env.get(STATE_DIR_ENV)
    if state_dir:
        config = replace(config, state_dir=Path(state_dir))
    if data:
        config = replace(config, data=Path(data), overlay=False)
    from_env = flag(env, OFFLINE_ENV)
    if from_env is None:
        raise ConfigError(
            Problem(
                "<environment>",
                OFFLINE_ENV,
                f"cannot read {env.get(OFFLINE_ENV)!r} as on or off",
                f"set it to one of {FLAG_WORDS}, or unset it",
            )
        )
    if offline or from_env:
        config = replace(config, offline=True)
    return config


def _read(path: Path) -> Config:
    source = str(path)
    try:
        text = yamlfile.read_text(
            path,
            "config file",
            "check the path given with --config or SPACEBOT_CONFIG, or copy "
            "config.example.yaml to config.yaml",
        )
        raw = yamlfile.load(text, source)
    except yamlfile.YamlProblems as exc:
        raise ConfigError(exc.problems) from None
    return parse_config(raw, source, path)


def parse_config(raw: Any, source: str, path: Path | None = None) -> Config:
    """A config from its parsed YAML; relative paths are relative to ``path``'s folder."""
    base = path.parent if path is not None else Path()
    r = SectionReader(source)
    top = r.section(raw, "", TOP_KEYS)
    tz = str(top.get("timezone", RenderSettings.timezone))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail(
            "timezone",
            f"unknown time zone {tz!r}",
            "use an IANA name such as UTC, America/New_York or Europe/London",
        )
        tz = RenderSettings.timezone
    rules = _rules(r, top.get("engine"))
    templates, render, lost_crews = _announcements(r, top.get("announcements"), base, tz, rules)
    if lost_crews == "in_memoriam":
        rules = replace(rules, kinds=rules.kinds | {Kind.IN_MEMORIAM})
    language = _language(r, top.get("announcements"))
    config = Config(
        source=source,
        path=path,
        data=_path(r, "data", top.get("data"), base, default_data_path()),
        state_dir=_path(r, "state_dir", top.get("state_dir"), base, Config.state_dir),
        rules=rules,
        templates=templates,
        render=render,
        schedule=_schedule(r, top.get("schedule")),
        targets=tuple(replace(t, language=language) for t in parse_targets(r, top.get("targets"))),
        posting=parse_posting(r, top.get("posting")),
        images=_images(r, top.get("announcements")),
        ll2=_sources(r, top.get("sources")),
    )
    if r.problems:
        raise ConfigError(r.problems)
    return config


def _path(r: SectionReader, key: str, value: Any, base: Path, default: Path) -> Path:
    """The path at ``key`` (relative to the config file's folder), or ``default``."""
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        r.fail(key, f"must be a path (text), not {value!r}", f'e.g. {key}: "/data"')
        return default
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _rules(r: SectionReader, raw: Any) -> Rules:
    where = "engine"
    default = Rules()
    sec = r.section(
        raw,
        where,
        (
            "include_suborbital",
            "grace_days",
            "kinds",
            "consecutive_days",
            "cumulative_days",
            "scopes",
        ),
    )
    kinds = default.kinds
    if "kinds" in sec:
        names = r.words(sec["kinds"], f"{where}.kinds")
        known = {k.value: k for k in default.kinds}
        if Kind.IN_MEMORIAM.value in names:
            r.fail(
                f"{where}.kinds",
                "in_memoriam is not an engine kind",
                "turn in memoriam posts on with 'announcements: lost_crews: in_memoriam'",
            )
        bad = [n for n in names if n not in known and n != Kind.IN_MEMORIAM.value]
        if bad:
            r.fail(
                f"{where}.kinds",
                f"unknown kind(s): {', '.join(bad)}",
                "known kinds: " + ", ".join(known),
            )
        kinds = frozenset(known[n] for n in names if n in known)
    return Rules(
        scopes=_scopes(r, sec.get("scopes"), f"{where}.scopes"),
        consecutive_days=_days(r, sec, "consecutive_days", where, default.consecutive_days),
        cumulative_days=_days(r, sec, "cumulative_days", where, default.cumulative_days),
        include_suborbital=r.boolean(sec, "include_suborbital", where, default.include_suborbital),
        grace=timedelta(days=r.number(sec, "grace_days", where, default.grace.days)),
        kinds=kinds,
    )


def _days(
    r: SectionReader, raw: dict[str, Any], key: str, where: str, default: tuple[int, ...]
) -> tuple[int, ...]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        r.fail(f"{where}.{key}", "must be a list of whole numbers of days", "e.g. [100, 365]")
        return default
    return tuple(sorted(set(value)))


def _scopes(r: SectionReader, raw: Any, where: str) -> tuple[ScopeRule, ...]:
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
        sec = r.section(
            item, w, ("name", "label", "member", "per", "countries", "gender", "tags", "people")
        )
        name = r.slug(sec.get("name"), f"{w}.name", "a scope's name")
        if name is None:
            continue
        if name in seen or (len(name) == 2 and is_country_code(name.upper())):
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
            if g not in GENDERS:
                r.fail(f"{w}.gender", f"unknown gender '{g}'", "use " + ", ".join(GENDERS))
        label = sec.get("label", "")
        if not isinstance(label, str):
            r.fail(f"{w}.label", "must be text", 'e.g. label: "the European record"')
            label = ""
        member = sec.get("member", "")
        if not isinstance(member, str):
            r.fail(f"{w}.member", "must be text", 'e.g. member: "European astronaut"')
            member = ""
        builtin = name in (WORLD, WOMEN) or per == COUNTRY
        if label.strip() and not member.strip() and not builtin and label_adjective(label) is None:
            # "by an esa astronaut", "1st among a-team astronauts": say how to word it
            r.fail(
                f"{w}.member",
                f"posts need a word for one member of '{name}': its label "
                f"({label!r}) is not of the form 'the ... record'",
                'add member: "ESA astronaut" (as in "by an ESA astronaut"), or a label '
                'like "the ESA record"',
            )
        out.append(
            ScopeRule(
                name=name,
                label=label,
                member=member,
                per_country=per == COUNTRY,
                countries=frozenset(countries),
                genders=frozenset(genders),
                tags=frozenset(r.words(sec.get("tags"), f"{w}.tags")),
                people=frozenset(r.words(sec.get("people"), f"{w}.people")),
            )
        )
    return tuple(out) or DEFAULT_SCOPES


LOST_CREWS = ("silent", "in_memoriam")


def _announcements(
    r: SectionReader, raw: Any, base: Path, timezone: str, rules: Rules
) -> tuple[Path | None, RenderSettings, str]:
    """Templates file, render settings, and ``lost_crews``: what to post when a flight
    ends with its crew's death (silent: nothing; in_memoriam: the in_memoriam wording)."""
    where = "announcements"
    default = RenderSettings()
    sec = r.section(
        raw,
        where,
        ("templates", "hashtags", "group_crew", "overflow", "images", "lost_crews", "language"),
    )
    lost_crews = r.choice(sec, "lost_crews", where, LOST_CREWS)
    hashtags = r.words(sec.get("hashtags"), f"{where}.hashtags")
    for tag in hashtags:
        if hashtag(tag) is None:
            r.fail(
                f"{where}.hashtags",
                f"'{tag}' is not a hashtag",
                "use letters, digits and underscores, e.g. '#ISS' or 'YearInSpace'",
            )
    overflow = r.choice(sec, "overflow", where, OVERFLOWS)
    templates = sec.get("templates")
    settings = RenderSettings(
        timezone=timezone,
        hashtags=hashtags,
        group_crew=r.boolean(sec, "group_crew", where, default.group_crew),
        overflow="thread" if overflow == "thread" else "fallback",
        scope_labels={rule.name: rule.label for rule in rules.scopes if rule.label},
        scope_people={rule.name: rule.member for rule in rules.scopes if rule.member},
    )
    path = _path(r, f"{where}.templates", templates, base, Path()) if templates else None
    return path, settings, lost_crews


def _images(r: SectionReader, announcements: Any) -> ImageSettings:
    """``announcements.images`` (its other keys are read by :func:`_announcements`)."""
    raw = announcements.get("images") if isinstance(announcements, Mapping) else None
    return replace(ImageSettings(), **parse_images(r, raw, "announcements.images"))


def _sources(r: SectionReader, raw: Any) -> LL2Settings:
    sec = r.section(raw, "sources", ("ll2",))
    where = "sources.ll2"
    d = LL2Settings()
    ll2 = r.section(
        sec.get("ll2"),
        where,
        (
            "enabled",
            "base_url",
            "timeout",
            "frequent_sync_minutes",
            "confirm_hours",
            "max_flight_days",
            "max_shift_minutes",
            "max_total_difference_hours",
            "stale_days",
        ),
    )
    base_url = ll2.get("base_url", d.base_url)
    if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
        r.fail(
            f"{where}.base_url",
            f"must be a URL (https://...), not {base_url!r}",
            "e.g. https://ll.thespacedevs.com/2.3.0/ (lldev.thespacedevs.com for development)",
        )
        base_url = d.base_url

    def span(key: str, default: timedelta, unit: str) -> timedelta:
        seconds = {"minutes": 60, "hours": 3600, "days": 86400}[unit]
        value = r.number(ll2, key, where, default.total_seconds() / seconds, positive=True)
        return timedelta(seconds=value * seconds)

    return LL2Settings(
        enabled=r.boolean(ll2, "enabled", where, d.enabled),
        base_url=base_url,
        timeout=r.number(ll2, "timeout", where, d.timeout, positive=True),
        frequent_sync=span("frequent_sync_minutes", d.frequent_sync, "minutes"),
        confirm_after=span("confirm_hours", d.confirm_after, "hours"),
        max_flight=span("max_flight_days", d.max_flight, "days"),
        max_shift=span("max_shift_minutes", d.max_shift, "minutes"),
        max_total_difference=span("max_total_difference_hours", d.max_total_difference, "hours"),
        stale_after=span("stale_days", d.stale_after, "days"),
    )


def _language(r: SectionReader, raw: Any) -> str:
    """``announcements.language``: the posts' language, told to the platforms that take
    one (Bluesky ``langs``, Mastodon ``language``); default ``en``."""
    if not isinstance(raw, dict) or "language" not in raw:
        return DEFAULT_LANGUAGE
    problem = language_problem(raw["language"])
    if problem is not None:
        r.fail(
            "announcements.language",
            problem,
            "use a BCP 47 tag: an ISO 639 language, optionally a region (en, fr, pt-BR)",
        )
        return DEFAULT_LANGUAGE
    return str(raw["language"])


def _schedule(r: SectionReader, raw: Any) -> Schedule:
    where = "schedule"
    default = Schedule()
    sec = r.section(raw, where, ("check_time", "post_at", "misfire_grace_minutes", "catch_up_days"))
    check_time = default.check_time
    value = sec.get("check_time", f"{default.check_time:%H:%M}")
    parsed = _time_of_day(value) if isinstance(value, str) else None
    if parsed is None:
        r.fail(f"{where}.check_time", f"not a time of day: {value!r}", 'use "HH:MM", e.g. "09:00"')
    else:
        check_time = parsed
    post_at = r.choice(sec, "post_at", where, ("crossing", "check"))
    grace_minutes = default.misfire_grace.total_seconds() / 60
    return Schedule(
        check_time=check_time,
        post_at="check" if post_at == "check" else "crossing",
        misfire_grace=timedelta(
            minutes=r.number(sec, "misfire_grace_minutes", where, grace_minutes)
        ),
        catch_up_days=int(
            r.number(sec, "catch_up_days", where, default.catch_up_days, integer=True)
        ),
    )


def _time_of_day(text: str) -> time | None:
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    return time(h, m) if h < 24 and m < 60 else None
