"""Load and validate mission data (YAML files such as the bundled ``schedules/``).

``load_dataset(path)`` reads one YAML file, or every ``*.yaml`` file of a directory
(merged), and returns a :class:`~bot.core.model.Dataset`, or raises :class:`DataError`
listing *every* problem found, each naming the file, the line, the person or flight,
and the fix.  The format is documented in ``docs/data-format.md``.

A validated dataset is cached (:mod:`bot.files.data_cache`), keyed by the content of
the files and the loader's code: a command whose data has not changed skips parsing
and validation, and a daemon that reloads unchanged data keeps the same object.
"""

from __future__ import annotations

import importlib.resources
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.model import GENDERS, Dataset, Flight, Gender, Person, Provenance
from bot.core.rules import ERAS
from bot.errors import DataError, Problem, did_you_mean
from bot.files import data_cache, yamlfile

TOP_KEYS = {"as_of", "source", "corrections", "people"}
PERSON_KEYS = {
    "id",
    "name",
    "common_name",
    "short_name",
    "country",
    "countries",
    "gender",
    "source_id",
    "tags",
    "flights",
    "ll2_id",
}
PERSON_REQUIRED = ("id", "name", "country", "gender", "flights")
FLIGHT_KEYS = {
    "mission",
    "launch",
    "landing",
    "planned_landing",
    "suborbital",
    "launch_vehicle",
    "landing_vehicle",
    "landing_vehicle_launch",
    "note",
    "crew_lost",
    "flag",
    "aborted",
    "provenance",
}
PROVENANCE_KEYS = {"source", "ids", "fetched_at", "confirmed"}
FLIGHT_REQUIRED = ("mission", "launch")
EXAMPLE_INSTANT = "2015-03-27T19:42:57Z"

# The bundled history has one home, the top-level ``schedules/`` of the source tree; the
# wheel carries it as the package data ``bot/schedules/`` (pyproject.toml maps the one to
# the other), so an installed spacebot finds it through importlib.resources.
SOURCE_TREE_DIR = Path(__file__).resolve().parents[2] / "schedules"


@lru_cache(maxsize=1)
def default_data_path() -> Path:
    """The bundled history: the package's ``schedules`` resources when spacebot is
    installed (pip, pipx, Docker), else the source tree's ``schedules/`` (a checkout,
    an editable install)."""
    shipped = importlib.resources.files("bot") / "schedules"
    if isinstance(shipped, Path) and shipped.is_dir():
        return shipped
    return SOURCE_TREE_DIR


@lru_cache(maxsize=512)
def is_country_code(code: str) -> bool:
    import pycountry  # only needed when data or a config is validated, not on a cache hit

    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def data_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise DataError(
                Problem(
                    str(path),
                    "directory",
                    "holds no *.yaml file",
                    "point --data at a YAML file or a directory of them",
                )
            )
        return files
    if not path.exists():
        raise DataError(
            Problem(
                str(path),
                "path",
                "does not exist",
                "check the --data path (default: the bundled schedules/ directory)",
            )
        )
    return [path]


def load_dataset(path: Path | str) -> Dataset:
    """Read, merge and validate mission data; raise DataError with every problem found."""
    files = data_files(Path(path))
    texts = [_read(file) for file in files]
    key = data_cache.key(
        [(str(f), t) for f, t in zip(files, texts, strict=True)], code=[__file__, _model_file()]
    )
    cached = data_cache.get(key)
    if cached is not None:
        return cached
    dataset = _validate(files, texts)
    data_cache.put(key, dataset)
    return dataset


def load_text(text: str, source: str = "<text>") -> Dataset:
    """Validate the YAML text of one data file (not cached); DataError with every problem.

    The inverse of :func:`bot.files.data_writer.dump_dataset`."""
    return _validate([Path(source)], [text])


def _model_file() -> str:
    from bot.core import model

    return model.__file__


def _read(file: Path) -> str:
    try:
        return yamlfile.read_text(file, "data file", "check the path and that it is UTF-8 text")
    except yamlfile.YamlProblems as exc:
        raise DataError(exc.problems) from None


def _validate(files: list[Path], texts: list[str]) -> Dataset:
    problems: list[Problem] = []
    as_ofs: list[datetime] = []
    people: list[Person] = []
    ids: list[tuple[str, str, int]] = []  # every entry's id (with errors or not), file, line
    for file, text in zip(files, texts, strict=True):
        parsed = _parse_file(str(file), text, problems)
        if parsed is not None:
            as_of, file_people, file_ids = parsed
            if as_of is not None:
                as_ofs.append(as_of)
            people.extend(file_people)
            ids.extend(file_ids)
    seen: dict[str, tuple[str, int]] = {}
    for pid, where_file, line in ids:
        if pid in seen:
            first_file, first_line = seen[pid]
            problems.append(
                Problem(
                    where_file,
                    f"line {line}, person '{pid}'",
                    f"duplicate id: already used at {first_file} line {first_line}",
                    "give every person a unique id (merge the two entries' flights into one)",
                )
            )
        else:
            seen[pid] = (where_file, line)
    if problems:
        raise DataError(problems)
    return Dataset(
        as_of=min(as_ofs),
        people=tuple(people),
        sources=tuple(str(f) for f in files),
    )


# --- one file ---------------------------------------------------------------------------


@dataclass
class _Ctx:
    file: str
    problems: list[Problem]

    def add(self, node: yaml.Node | None, where: str, message: str, fix: str = "") -> None:
        line = f"line {yamlfile.line(node)}" if node is not None else "file"
        self.problems.append(
            Problem(self.file, f"{line}, {where}" if where else line, message, fix)
        )


def _parse_file(
    source: str, text: str, problems: list[Problem]
) -> tuple[datetime | None, list[Person], list[tuple[str, str, int]]] | None:
    """The file's ``as_of``, its valid people, and the id of every entry that has one
    (file, line): an entry with errors of its own still takes part in the duplicate-id
    check."""
    ctx = _Ctx(source, problems)
    try:
        root = yamlfile.compose(text, source)
    except yamlfile.YamlProblems as exc:
        problems.extend(exc.problems)
        return None
    if not isinstance(root, yaml.MappingNode):
        ctx.add(
            root,
            "",
            "the file must be a mapping with 'as_of' and 'people'",
            "start the file with 'as_of: 2026-07-03T00:00:00Z' and 'people:'",
        )
        return None
    top = _mapping(ctx, root, "top level", TOP_KEYS, ("as_of", "people"))
    as_of = None
    if "as_of" in top:
        as_of = _instant(ctx, top["as_of"], "as_of")
    people: list[Person] = []
    ids: list[tuple[str, str, int]] = []
    people_node = top.get("people")
    if people_node is not None:
        if not isinstance(people_node, yaml.SequenceNode):
            ctx.add(
                people_node,
                "people",
                "must be a list of people",
                "write each person as '- id: ...'",
            )
        else:
            for index, node in enumerate(people_node.value, start=1):
                person = _person(ctx, node, index)
                if person is not None:
                    people.append(person)
                pid = person.id if person is not None else _entry_id(node)
                if pid:
                    ids.append((pid, source, yamlfile.line(node)))
    return as_of, people, ids


def _entry_id(node: yaml.Node) -> str | None:
    """The ``id`` text of a person entry that did not validate, if it has one."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value.strip():
            return str(value.value).strip()
    return None


def _mapping(
    ctx: _Ctx, node: yaml.Node, where: str, allowed: set[str], required: tuple[str, ...]
) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        ctx.add(node, where, "must be a mapping of 'key: value' lines", "")
        return {}
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in allowed:
            suggestion = did_you_mean(key, allowed)
            fix = f"did you mean '{suggestion}'?" if suggestion else ""
            fix = fix or f"allowed keys: {', '.join(sorted(allowed))}"
            ctx.add(key_node, where, f"unknown field '{key}'", fix)
            continue
        out[key] = value_node
    for key in required:
        if key not in out:
            ctx.add(node, where, f"missing field '{key}'", f"add '{key}: ...' to this entry")
    return out


def _scalar(ctx: _Ctx, node: yaml.Node, where: str, field: str) -> Any:
    """The node's value; an impossible timestamp is a problem (``None`` returned)."""
    if not isinstance(node, yaml.ScalarNode):
        return node
    value, reason = yamlfile.scalar_value(node)
    if reason is not None:
        ctx.add(
            node,
            where,
            f"'{field}' is not a real date or time: {node.value} ({reason})",
            f"check the day of the month, the month and the time, e.g. {EXAMPLE_INSTANT}",
        )
        return _INVALID
    return value


_INVALID = object()  # a value already reported


def _text(ctx: _Ctx, node: yaml.Node | None, where: str, field: str) -> str | None:
    if node is None:
        return None
    value = _scalar(ctx, node, where, field)
    if value is _INVALID:
        return None
    if not isinstance(value, str) or not value.strip():
        ctx.add(node, where, f"'{field}' must be non-empty text", f'write it as {field}: "..."')
        return None
    return value.strip()


def _instant(ctx: _Ctx, node: yaml.Node | None, where: str, field: str = "") -> datetime | None:
    if node is None:
        return None
    field = field or where
    value = _scalar(ctx, node, where, field)
    if value is _INVALID:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            ctx.add(
                node,
                where,
                f"'{field}' has no UTC offset: {node.value}",
                f"append 'Z' for UTC, e.g. {EXAMPLE_INSTANT}",
            )
            return None
        return value.astimezone(UTC)
    if yamlfile.is_date(value):
        ctx.add(
            node,
            where,
            f"'{field}' is a date without a time: {node.value}",
            f"give the exact instant in UTC, e.g. {EXAMPLE_INSTANT}",
        )
        return None
    ctx.add(
        node,
        where,
        f"'{field}' is not a timestamp: {getattr(node, 'value', node)!r}",
        f"write an ISO 8601 instant with offset, e.g. {EXAMPLE_INSTANT}",
    )
    return None


def _person(ctx: _Ctx, node: yaml.Node, index: int) -> Person | None:
    where = f"person #{index}"
    fields = _mapping(ctx, node, where, PERSON_KEYS, PERSON_REQUIRED)
    if not fields:
        return None
    before = len(ctx.problems)
    pid = _text(ctx, fields.get("id"), where, "id")
    if pid is not None:
        where = f"person '{pid}'"
        if not yamlfile.SLUG.match(pid):
            ctx.add(
                fields["id"],
                where,
                f"id '{pid}' is not a slug",
                "use lowercase letters, digits and single hyphens, e.g. scott-kelly",
            )
    name = _text(ctx, fields.get("name"), where, "name")
    country = _text(ctx, fields.get("country"), where, "country")
    if country is not None and not is_country_code(country):
        ctx.add(
            fields["country"],
            where,
            f"unknown country code '{country}'",
            "use an ISO 3166-1 alpha-2 code in capitals (US, RU, FR, JP...; Soviet citizens: RU)",
        )
    countries = _countries(ctx, fields, where, country)
    common_name = _text(ctx, fields.get("common_name"), where, "common_name")
    short_name = _text(ctx, fields.get("short_name"), where, "short_name")
    gender_raw = _text(ctx, fields.get("gender"), where, "gender")
    gender: Gender | None = None
    if gender_raw is not None:
        known = {g: g for g in GENDERS}
        if gender_raw in known:
            gender = known[gender_raw]
        else:
            ctx.add(
                fields["gender"],
                where,
                f"unknown gender '{gender_raw}'",
                f"use one of: {', '.join(GENDERS)}",
            )
    source_id = _text(ctx, fields.get("source_id"), where, "source_id")
    ll2_id: int | None = None
    if "ll2_id" in fields:
        value = _scalar(ctx, fields["ll2_id"], where, "ll2_id")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            ll2_id = value
        elif value is not _INVALID:
            ctx.add(fields["ll2_id"], where, "'ll2_id' must be a whole number", "e.g. ll2_id: 545")
    tags: tuple[str, ...] = ()
    if "tags" in fields:
        raw_tags = yamlfile.scalar_value(fields["tags"])[0]
        if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
            ctx.add(fields["tags"], where, "'tags' must be a list of words", "e.g. tags: [esa]")
        else:
            tags = tuple(raw_tags)
    flights: list[Flight] = []
    flights_node = fields.get("flights")
    if flights_node is not None:
        if not isinstance(flights_node, yaml.SequenceNode):
            ctx.add(
                flights_node,
                where,
                "'flights' must be a list",
                "write each flight as '- mission: ...'",
            )
        else:
            for fi, fnode in enumerate(flights_node.value, start=1):
                flight = _flight(ctx, fnode, f"{where}, flight {fi}")
                if flight is not None:
                    flights.append(flight)
            _check_flights(ctx, flights_node, where, flights)
    if (
        len(ctx.problems) > before
        or pid is None
        or name is None
        or country is None
        or gender is None
    ):
        return None
    return Person(
        id=pid,
        name=name,
        country=country,
        gender=gender,
        flights=tuple(sorted(flights, key=lambda f: f.launch)),
        source_id=source_id,
        tags=tags,
        countries=countries,
        common_name=common_name,
        short_name=short_name,
        ll2_id=ll2_id,
    )


def _countries(
    ctx: _Ctx, fields: dict[str, yaml.Node], where: str, country: str | None
) -> tuple[str, ...]:
    """``countries``: every citizenship that counts, ``country`` first; () when absent."""
    node = fields.get("countries")
    if node is None:
        return ()
    raw = yamlfile.scalar_value(node)[0]
    example = f"countries: [{country or 'GB'}, US]"
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        ctx.add(node, where, "'countries' must be a list of country codes", f"e.g. {example}")
        return ()
    codes = tuple(c.strip() for c in raw)
    bad = [c for c in codes if not is_country_code(c)]
    if bad:
        ctx.add(
            node,
            where,
            f"unknown country code(s) in 'countries': {', '.join(bad)}",
            "use ISO 3166-1 alpha-2 codes in capitals (US, GB, RU...)",
        )
        return ()
    if len(set(codes)) != len(codes):
        ctx.add(node, where, "a country is listed twice in 'countries'", f"e.g. {example}")
        return ()
    if country is not None and codes[0] != country:
        fixed = ", ".join([country, *(c for c in codes if c != country)])
        ctx.add(
            node,
            where,
            f"'countries' must start with the primary 'country' ({country}), not {codes[0]}",
            f"write countries: [{fixed}], or change 'country'",
        )
        return ()
    return codes


def _flight(ctx: _Ctx, node: yaml.Node, where: str) -> Flight | None:
    fields = _mapping(ctx, node, where, FLIGHT_KEYS, FLIGHT_REQUIRED)
    if not fields:
        return None
    before = len(ctx.problems)
    mission = _text(ctx, fields.get("mission"), where, "mission")
    if mission is not None:
        where = f"{where} ({mission})"
    launch = _instant(ctx, fields.get("launch"), where, "launch")
    landing = _instant(ctx, fields.get("landing"), where, "landing")
    planned = _instant(ctx, fields.get("planned_landing"), where, "planned_landing")
    suborbital = _flag(ctx, fields, where, "suborbital")
    crew_lost = _flag(ctx, fields, where, "crew_lost")
    aborted = _flag(ctx, fields, where, "aborted")
    provenance = _provenance(ctx, fields.get("provenance"), where)
    launch_vehicle = _text(ctx, fields.get("launch_vehicle"), where, "launch_vehicle")
    landing_vehicle = _text(ctx, fields.get("landing_vehicle"), where, "landing_vehicle")
    down_launch = _instant(
        ctx, fields.get("landing_vehicle_launch"), where, "landing_vehicle_launch"
    )
    note = _text(ctx, fields.get("note"), where, "note")
    flag = _text(ctx, fields.get("flag"), where, "flag")
    if flag is not None and not (flag in ERAS or is_country_code(flag)):
        ctx.add(
            fields["flag"],
            where,
            f"unknown flag '{flag}'",
            "use an ISO 3166-1 alpha-2 code, or a former country: " + ", ".join(sorted(ERAS)),
        )
    if down_launch is not None and landing_vehicle is None:
        ctx.add(
            fields["landing_vehicle_launch"],
            where,
            "'landing_vehicle_launch' without a 'landing_vehicle'",
            "name the vehicle that came home in 'landing_vehicle', or remove the instant",
        )
    if down_launch is not None and landing is not None and down_launch > landing:
        ctx.add(
            fields["landing_vehicle_launch"],
            where,
            f"landing_vehicle_launch {_iso(down_launch)} is after the landing {_iso(landing)}",
            "the vehicle that came home must have launched before the landing: check both",
        )
    if crew_lost and landing is None:
        ctx.add(
            fields["crew_lost"],
            where,
            "'crew_lost' on a flight without a landing",
            "give the instant the flight ended as 'landing'",
        )
    if launch is not None and landing is not None and landing <= launch:
        ctx.add(
            fields["landing"],
            where,
            f"landing {_iso(landing)} is not after launch {_iso(launch)}",
            "check both instants (UTC) and the date of each",
        )
    if launch is not None and planned is not None and planned <= launch:
        ctx.add(
            fields["planned_landing"],
            where,
            "planned_landing is not after launch",
            "check both instants (UTC)",
        )
    if len(ctx.problems) > before or mission is None or launch is None:
        return None
    return Flight(
        mission=mission,
        launch=launch,
        landing=landing,
        planned_landing=planned,
        suborbital=suborbital,
        launch_vehicle=launch_vehicle,
        landing_vehicle=landing_vehicle,
        note=note,
        crew_lost=crew_lost,
        flag=flag,
        landing_vehicle_launch=down_launch,
        aborted=aborted,
        provenance=provenance,
    )


def _provenance(ctx: _Ctx, node: yaml.Node | None, where: str) -> Provenance | None:
    """A live flight's ``provenance: {source, ids, fetched_at, confirmed}``."""
    if node is None:
        return None
    where = f"{where}, provenance"
    fields = _mapping(ctx, node, where, PROVENANCE_KEYS, ("source", "fetched_at"))
    source = _text(ctx, fields.get("source"), where, "source")
    fetched_at = _instant(ctx, fields.get("fetched_at"), where, "fetched_at")
    ids: tuple[str, ...] = ()
    if "ids" in fields:
        raw = yamlfile.scalar_value(fields["ids"])[0]
        if not isinstance(raw, list) or not all(isinstance(i, str | int) for i in raw):
            ctx.add(fields["ids"], where, "'ids' must be a list", "e.g. ids: [launch:abc]")
        else:
            ids = tuple(str(i) for i in raw)
    confirmed = _flag(ctx, fields, where, "confirmed")
    if source is None or fetched_at is None:
        return None
    return Provenance(source, ids, fetched_at, confirmed)


def _flag(ctx: _Ctx, fields: dict[str, yaml.Node], where: str, name: str) -> bool:
    if name not in fields:
        return False
    value = _scalar(ctx, fields[name], where, name)
    if not isinstance(value, bool):
        ctx.add(fields[name], where, f"'{name}' must be true or false", f"e.g. {name}: true")
        return False
    return value


def _check_flights(ctx: _Ctx, node: yaml.Node, where: str, flights: list[Flight]) -> None:
    ordered = sorted(flights, key=lambda f: f.launch)
    ongoing = [f for f in ordered if f.landing is None]
    if len(ongoing) > 1:
        names = ", ".join(f.mission for f in ongoing)
        ctx.add(
            node,
            where,
            f"more than one ongoing flight (no landing): {names}",
            "give every flight but the current one its landing instant",
        )
    for earlier, later in itertools.pairwise(ordered):
        end = earlier.landing
        if end is None or end > later.launch:
            ctx.add(
                node,
                where,
                f"flights overlap: {earlier.mission} ({_iso(earlier.launch)} to "
                f"{_iso(end) if end else 'still in space'}) and {later.mission} "
                f"(launch {_iso(later.launch)})",
                "a person flies one flight at a time: fix the landing of the first "
                "or the launch of the second (a ride up in one vehicle and down in "
                "another is one flight)",
            )


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
