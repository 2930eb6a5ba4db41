"""Reading template files: the bundled wording, and the operator's overrides laid over it.

The file format (documented in ``docs/templates.md``): a mapping of milestone kinds,
each a mapping of variants (``text``, ``fallback``, ``late``, ``late_fallback``) and
optionally of platforms holding their own variants (or a single text).  Every problem
in a file (YAML errors, duplicate keys, unknown kinds, variants, platforms or fields,
``str.format`` syntax) is reported at once, naming the file and the line.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from bot.core.milestone import Kind
from bot.core.platforms import REHEARSAL
from bot.core.templates import (
    KINDS,
    VARIANTS,
    Template,
    TemplateSet,
    choose,
    fields_of,
    platform_keys,
)
from bot.errors import ConfigError, Problem
from bot.files import yamlfile

DEFAULT_FILE = "default_templates.yaml"
DEFAULT_SOURCE = f"bot/files/{DEFAULT_FILE} (built in)"

Entries = dict[tuple[str, str | None, str], Template]


def load_templates(path: Path | None = None) -> TemplateSet:
    """The bundled templates, with the operator's file (if any) laid over them.

    Raises :class:`ConfigError` listing every problem in the file.
    """
    entries: Entries = dict(_bundled())
    sources: tuple[str, ...] = (DEFAULT_SOURCE,)
    if path is not None:
        source = str(path)
        try:
            text = yamlfile.read_text(
                path,
                "template file",
                "create it, fix 'announcements.templates' in the config, or remove the setting",
            )
        except yamlfile.YamlProblems as exc:
            raise ConfigError(exc.problems) from None
        entries.update(parse_templates(text, source))
        sources = (DEFAULT_SOURCE, source)
    return TemplateSet(entries, sources)


@lru_cache(maxsize=1)
def _bundled() -> Entries:
    text = resources.files("bot.files").joinpath(DEFAULT_FILE).read_text("utf-8")
    entries = parse_templates(text, DEFAULT_SOURCE)
    missing = TemplateSet(entries).missing()
    if missing:
        raise ConfigError(
            Problem(DEFAULT_SOURCE, ", ".join(missing), "built-in template missing", "reinstall")
        )
    return entries


def parse_templates(text: str, source: str) -> Entries:
    """Every template of one file; :class:`ConfigError` listing every problem."""
    try:
        root = yamlfile.compose(text, source)
    except yamlfile.YamlProblems as exc:
        raise ConfigError(exc.problems) from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(
            Problem(
                source,
                _line(root),
                "the template file must be a mapping of kinds",
                f"start with a kind name followed by a colon, e.g. 'mission_end:'; "
                f"kinds: {', '.join(KINDS)}",
            )
        )
    problems: list[Problem] = []
    entries: Entries = {}
    keys = platform_keys()
    for key_node, value_node in root.value:
        kind = str(key_node.value)
        if kind not in KINDS:
            problems.append(
                Problem(
                    source,
                    f"{_line(key_node)}: template '{kind}'",
                    f"unknown kind '{kind}'",
                    choose("kind", kind, KINDS),
                )
            )
            continue
        if not isinstance(value_node, yaml.MappingNode):
            problems.append(
                Problem(
                    source,
                    f"{_line(value_node)}: template '{kind}'",
                    "a kind holds a mapping of variants, not a single text",
                    f"write e.g. '{kind}:' then an indented 'text: \"...\"'",
                )
            )
            continue
        for vkey, vnode in value_node.value:
            name = str(vkey.value)
            if name in VARIANTS:
                _add(entries, problems, source, kind, None, name, vnode)
            elif name in keys:
                if isinstance(vnode, yaml.MappingNode):
                    for pkey, pnode in vnode.value:
                        pname = str(pkey.value)
                        if pname in VARIANTS:
                            _add(entries, problems, source, kind, name, pname, pnode)
                        else:
                            problems.append(
                                Problem(
                                    source,
                                    f"{_line(pkey)}: template '{kind}/{name}/{pname}'",
                                    f"unknown variant '{pname}'",
                                    choose("variant", pname, VARIANTS),
                                )
                            )
                else:
                    _add(entries, problems, source, kind, name, "text", vnode)
            elif name == REHEARSAL:
                problems.append(
                    Problem(
                        source,
                        f"{_line(vkey)}: template '{kind}/{name}'",
                        "a dry-run target has no wording of its own: it shows what the "
                        "platform it mimics would get",
                        "move this wording under that platform (x, mastodon or bluesky), or "
                        "set the dry-run target's options.mimic",
                    )
                )
            else:
                problems.append(
                    Problem(
                        source,
                        f"{_line(vkey)}: template '{kind}/{name}'",
                        f"unknown variant '{name}'",
                        choose("variant or platform", name, VARIANTS + keys),
                    )
                )
    if problems:
        raise ConfigError(problems)
    return entries


def _add(
    entries: Entries,
    problems: list[Problem],
    source: str,
    kind: str,
    platform: str | None,
    variant: str,
    node: yaml.Node,
) -> None:
    label = f"{kind}/{platform}/{variant}" if platform else f"{kind}/{variant}"
    where = f"{_line(node)}: template '{label}'"
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        problems.append(Problem(source, where, "a template must be text", 'quote it: text: "..."'))
        return
    text = str(node.value).strip()
    if not text:
        problems.append(
            Problem(source, where, "empty template", "write the text, or remove the entry")
        )
        return
    found = fields_of(text, Kind(kind))
    if isinstance(found, Problem):
        problems.append(Problem(source, where, found.message, found.fix))
        return
    entries[(kind, platform, variant)] = Template(text, source, yamlfile.line(node), found)


def _line(node: yaml.Node) -> str:
    return f"line {yamlfile.line(node)}"
