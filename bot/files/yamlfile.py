"""Reading the operator's YAML files: one set of rules for data, config and templates.

* syntax errors become a :class:`~bot.errors.Problem` naming the file, line and column;
* a key written twice in one mapping is refused, naming both lines (YAML would
  silently keep the last one);
* timestamps that the YAML grammar accepts but the calendar does not (2020-02-30,
  hour 25) are reported by :func:`scalar_value` as problems, never as tracebacks;
* names that the operator chooses (person ids, target and scope names) follow one
  rule, :data:`SLUG`.

libyaml's C parser is used when PyYAML has it (the wheels do): about ten times faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.errors import Problem, did_you_mean

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# One constructor for every scalar of every file (building one per scalar is slow).
_CONSTRUCTOR = yaml.SafeLoader("")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RULE = "lowercase letters, digits and single hyphens, e.g. main-x"

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class YamlProblems(Exception):
    """The file could not be read as YAML (syntax, duplicate keys): every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_text(path: Path, what: str, fix: str) -> str:
    """The text of ``path`` (a ``what``: "config file"...), or :class:`YamlProblems` saying
    why it cannot be read, and ``fix``."""
    source = str(path)

    def fail(message: str, fix: str = fix) -> YamlProblems:
        return YamlProblems([Problem(source, "file", f"{what} {message}", fix)])

    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail("not found") from None
    except IsADirectoryError:
        raise fail("is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text ({exc.reason})", "save it as UTF-8") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or type(exc).__name__}") from None


def compose(text: str, source: str) -> yaml.Node | None:
    """The document's node tree (``None`` for an empty file); syntax errors and
    duplicate keys raise :class:`YamlProblems`."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise YamlProblems([syntax_problem(exc, source)]) from None
    finally:
        loader.dispose()
    if root is not None:
        duplicates = list(_duplicate_keys(root, source))
        if duplicates:
            raise YamlProblems(duplicates)
    return root


def load(text: str, source: str) -> Any:
    """The document as Python values (mappings, lists, scalars), with :func:`compose`'s
    checks; an impossible timestamp is a problem too."""
    root = compose(text, source)
    if root is None:
        return None
    problems = list(_bad_timestamps(root, source))
    if problems:
        raise YamlProblems(problems)
    _sexagesimal_as_text(root)
    return _CONSTRUCTOR.construct_document(root)


_INT, _FLOAT, _STR = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "str"))


def _sexagesimal_as_text(root: yaml.Node) -> None:
    """YAML 1.1 reads ``09:00`` unquoted as 540 (base 60): keep such scalars as the text
    they are, so ``check_time: 09:00`` means nine o'clock and ``check_time: 9`` is
    refused rather than read as 00:09."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.tag in (_INT, _FLOAT) and ":" in str(node.value):
            node.tag = _STR


def syntax_problem(exc: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(
        source,
        where,
        f"YAML syntax error: {reason}",
        "fix the indentation, quotes or colons at that line",
    )


def line(node: yaml.Node) -> int:
    """The node's 1-based line."""
    return int(node.start_mark.line) + 1


def scalar_value(node: yaml.Node) -> tuple[Any, str | None]:
    """A scalar node's value, or ``(None, reason)`` when it cannot be one (an impossible
    date: "day is out of range for month")."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP and len(node.value) > 10:
        text = str(node.value)  # a date and a time (a bare date stays a date)
        try:
            # the common form (2015-03-27T19:42:57Z) without the slower YAML constructor
            return datetime.fromisoformat(text), None
        except ValueError:
            pass
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True), None
    except (ValueError, OverflowError) as exc:
        return None, str(exc)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


def is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _duplicate_keys(root: yaml.Node, source: str) -> Iterator[Problem]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                if isinstance(key, yaml.ScalarNode) and name in seen:
                    yield Problem(
                        source,
                        f"line {line(key)}",
                        f"key '{name}' is written twice in one mapping (first at line "
                        f"{seen[name]})",
                        "keep one of them: YAML would silently use the last",
                    )
                else:
                    seen.setdefault(name, line(key))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _bad_timestamps(root: yaml.Node, source: str) -> Iterator[Problem]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for _key, value in node.value:
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.tag == _TIMESTAMP:
            _value, reason = scalar_value(node)
            if reason is not None:
                yield Problem(
                    source,
                    f"line {line(node)}",
                    f"'{node.value}' is not a real date or time ({reason})",
                    "check the day of the month, the month (1-12) and the time (00:00-23:59)",
                )


class SectionReader:
    """Walks a parsed YAML document (a config), collecting every problem rather than
    stopping at the first; each names the file, the setting's dotted path and the fix."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.source, where or "top level", message, fix))

    def section(self, raw: Any, where: str, allowed: Iterable[str]) -> dict[str, Any]:
        """``raw`` as a mapping of known keys (unknown ones reported, with a suggestion)."""
        allowed = set(allowed)
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail(where, "must be a mapping of 'key: value' lines")
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key in allowed:
                out[key] = value
                continue
            close = did_you_mean(str(key), allowed)
            fix = f"did you mean '{close}'?" if close else "allowed: " + ", ".join(sorted(allowed))
            self.fail(f"{where}.{key}" if where else str(key), "unknown setting", fix)
        return out

    def boolean(self, raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.fail(_join(where, key), f"must be true or false, not {value!r}")
            return default
        return value

    def number(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        default: float,
        *,
        positive: bool = False,
        integer: bool = False,
    ) -> float:
        """A number >= 0 (> 0 with ``positive``; whole with ``integer``), at most
        :data:`MAX_NUMBER` (``.inf`` or 1e20 days would overflow every date)."""
        value = raw.get(key, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and (value > 0 if positive else value >= 0) and value <= MAX_NUMBER
        ok = ok and (not integer or float(value).is_integer())
        if not ok:
            what = "a whole number" if integer else "a number"
            bound = "> 0" if positive else ">= 0"
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                bound = f"at most {MAX_NUMBER:,}"
            fix = f"e.g. {default:g}"
            self.fail(_join(where, key), f"must be {what} {bound}, not {value!r}", fix)
            return default
        return float(value)

    def choice(self, raw: Mapping[str, Any], key: str, where: str, choices: Sequence[str]) -> str:
        """One of ``choices``; the first is the default."""
        value = raw.get(key, choices[0])
        if value not in choices:
            self.fail(_join(where, key), f"unknown value {value!r}", "use " + " or ".join(choices))
            return choices[0]
        return str(value)

    def words(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            flags = [v for v in (value if isinstance(value, list) else []) if isinstance(v, bool)]
            fix = (
                'YAML reads NO, YES, ON and OFF as true or false: quote them, e.g. [DK, "NO"]'
                if flags
                else "e.g. [FR, DE] or [esa]"
            )
            self.fail(where, "must be a list of words", fix)
            return ()
        return tuple(value)

    def slug(self, value: Any, where: str, what: str) -> str | None:
        if isinstance(value, str) and SLUG.match(value):
            return value
        self.fail(where, f"{what} must be {SLUG_RULE}, not {value!r}")
        return None


MAX_NUMBER = 1_000_000  # any setting: days, hours, minutes, seconds, counts


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
