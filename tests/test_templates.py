"""Templates: bundled defaults, operator overrides, and every validation error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import platforms
from bot.core.fields import FIELDS
from bot.core.milestone import Kind
from bot.core.render import PlatformSpec, RenderSettings, check_templates
from bot.core.templates import KINDS, VARIANTS, TemplateSet, platform_keys, tidy
from bot.errors import ConfigError
from bot.files.templates import load_templates

PLATFORMS = platform_keys()
ALL_PLATFORMS = [platforms.spec(p) for p in PLATFORMS]


def check(
    templates: TemplateSet, specs: list[PlatformSpec], settings: RenderSettings | None = None
) -> None:
    problems = check_templates(templates, specs, settings)
    if problems:
        raise ConfigError(problems)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        check(load_templates(path), ALL_PLATFORMS)
    message = str(info.value)
    assert str(path) in message  # every error names the file
    assert "fix:" in message  # ... and says what to do
    return message


# --------------------------------------------------------------------------- defaults


def test_defaults_cover_every_kind_and_variant() -> None:
    templates = load_templates(None)
    for kind in Kind:
        for platform in PLATFORMS:
            words = templates.wording(kind, platform)
            for variant in VARIANTS:
                assert getattr(words, variant).text.strip()


def test_defaults_fit_every_platform() -> None:
    check(load_templates(None), ALL_PLATFORMS)
    check(load_templates(None), ALL_PLATFORMS, RenderSettings(timezone="Asia/Kolkata"))


def test_platform_wording_overrides_only_its_platform() -> None:
    templates = load_templates(None)
    assert "{time}" in templates.wording(Kind.RECORD_CONSECUTIVE, "mastodon").text.text
    assert "{time}" not in templates.wording(Kind.RECORD_CONSECUTIVE, "x").text.text
    # variants a platform does not give come from the general wording
    assert (
        templates.wording(Kind.RECORD_CONSECUTIVE, "mastodon").fallback
        == templates.wording(Kind.RECORD_CONSECUTIVE, "x").fallback
    )


def test_every_documented_field_is_documented_in_docs() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "templates.md"
    text = docs.read_text(encoding="utf-8")
    for name in FIELDS:
        assert "{" + name + "}" in text, name


# --------------------------------------------------------------------------- overrides


def test_override_replaces_one_variant_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
mission_end:
  text: "Welcome home, {name}! {value} in space. {totals}"
  x: "Welcome home, {name}!"
  bluesky:
    fallback: "Welcome home!"
""",
    )
    templates = load_templates(path)
    default = load_templates(None)
    words = templates.wording(Kind.MISSION_END, "mastodon")
    assert words.text.text == "Welcome home, {name}! {value} in space. {totals}"
    assert words.text.source == str(path)
    assert words.text.line == 3
    assert words.fallback == default.wording(Kind.MISSION_END, "mastodon").fallback
    assert templates.wording(Kind.MISSION_END, "x").text.text == "Welcome home, {name}!"
    assert templates.wording(Kind.MISSION_END, "bluesky").fallback.text == "Welcome home!"
    assert templates.wording(Kind.RECORD_CUMULATIVE, "x") == default.wording(
        Kind.RECORD_CUMULATIVE, "x"
    )
    assert templates.sources[-1] == str(path)
    check(templates, ALL_PLATFORMS)


def test_empty_override_file_means_defaults(tmp_path: Path) -> None:
    empty = load_templates(write(tmp_path, "# nothing yet\n"))
    assert empty.entries == load_templates(None).entries


def test_folded_yaml_text_and_escaped_braces(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
milestone_cumulative:
  text: >-
    {name} {has} now spent {value}
    in space {{in total}}.
""",
    )
    text = load_templates(path).wording(Kind.MILESTONE_CUMULATIVE, "x").text.text
    assert text == "{name} {has} now spent {value} in space {{in total}}."


# --------------------------------------------------------------------------- errors


def test_unknown_field_names_file_line_template_and_field(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        """
record_consecutive:
  fallback: "{name} passed {prevous_name}."
""",
    )
    assert "line 3: template 'record_consecutive/fallback'" in message
    assert "unknown field {prevous_name}" in message
    assert "did you mean 'previous_name'?" in message


def test_field_not_available_for_the_kind(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'milestone_cumulative:\n  text: "{name} beat {previous_name}"\n')
    assert "template 'milestone_cumulative/text'" in message
    assert "field {previous_name} is not available for milestone_cumulative" in message


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{name passed", "str.format syntax error"),
        ("{name} passed}", "str.format syntax error"),
        ("{} passed", "field {} has no name"),
        ("{0} passed", "field {0} has no name"),
        ("{name.upper} passed", "attribute and index access are not supported"),
        ("{name[0]} passed", "attribute and index access are not supported"),
        ("{name!r} passed", "conversion !r is not supported"),
        ("{name:d} passed", "bad format spec ':d'"),
    ],
)
def test_format_syntax_errors(tmp_path: Path, template: str, expected: str) -> None:
    message = error_of(tmp_path, f"mission_end:\n  late: '{template}'\n")
    assert "line 2: template 'mission_end/late'" in message
    assert expected in message


def test_unknown_kind(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'record_consecutiv:\n  text: "{name}"\n')
    assert "line 1: template 'record_consecutiv'" in message
    assert "unknown kind 'record_consecutiv'" in message
    assert "did you mean 'record_consecutive'?" in message


def test_unknown_variant_and_platform(tmp_path: Path) -> None:
    message = error_of(
        tmp_path,
        """
mission_end:
  short: "{name}"
  twitter: "{name}"
  mastodon:
    fallbak: "{name}"
""",
    )
    assert "3 problems found" in message  # every problem at once
    assert "template 'mission_end/short'" in message
    assert "unknown variant 'twitter'" in message
    assert "template 'mission_end/mastodon/fallbak'" in message
    assert "did you mean 'fallback'?" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mission_end: hello\n", "a kind holds a mapping of variants"),
        ("- mission_end\n", "must be a mapping of kinds"),
        ("mission_end:\n  text: 42\n", "a template must be text"),
        ("mission_end:\n  text:\n", "a template must be text"),
        ("mission_end:\n  text: '   '\n", "empty template"),
        ("mission_end:\n  text: 'a\n  b: [\n", "YAML syntax error"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_of(tmp_path, text)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="template file not found") as info:
        load_templates(path)
    assert str(path) in str(info.value)


def test_too_long_for_a_platform(tmp_path: Path) -> None:
    long_tail = "and so on " * 20
    path = write(
        tmp_path,
        f"""
mission_end:
  fallback: "{{name}} {{is}} back after {{value}} ({{mission}}). {long_tail}"
""",
    )
    templates = load_templates(path)  # fine until checked against a platform
    with pytest.raises(ConfigError) as info:
        check(templates, [platforms.spec("x")])
    message = str(info.value)
    assert str(path) in message
    assert "line 3: template 'mission_end/fallback'" in message
    assert "too long for x (limit 280)" in message
    assert "its longest field is {name}" in message  # the field that grows
    assert "'mission_end: x: fallback:'" in message  # the fix names where to write
    check(templates, [PlatformSpec("mastodon", "mastodon", 1000)])  # fits a roomier one


def test_text_that_never_fits_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, "record_cumulative:\n  bluesky: '{name} " + "x" * 300 + "'\n")
    assert "template 'record_cumulative/text'" in message
    assert "too long for bluesky" in message


def test_tidy_removes_traces_of_empty_fields() -> None:
    assert tidy("A  passed ( ).  B , C .") == "A passed. B, C."
    assert tidy(" One\n two ") == "One\ntwo"
    assert tidy("Done.. Next") == "Done. Next"
    assert tidy("Wait...") == "Wait..."


def test_tidy_starts_a_post_with_a_capital() -> None:
    # a short name with a particle opening the post: "de Vries" -> "De Vries"
    assert tidy("de Vries now ranks 1st.") == "De Vries now ranks 1st."
    assert tidy("#iss first") == "#iss first"  # not a letter: left alone


def test_kinds_match_the_engine() -> None:
    assert set(KINDS) == {k.value for k in Kind}


def _tidy_every_rule(text: str) -> str:
    """tidy as it was before it skipped the rules whose trigger is absent."""
    from bot.core import templates as t

    text = t._SPACES.sub(" ", text)
    text = t._EMPTY_PARENS.sub("", text)
    text = t._SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = t._COMMA_BEFORE_PAREN.sub(" (", text)
    text = t._COMMA_BEFORE_END.sub(r"\1", text)
    text = t._REPEATED_PERIOD.sub(".", text)
    return t.capitalize("\n".join(line.strip() for line in text.split("\n")).strip())


@given(st.text(alphabet=" \t\n.,;:!?()ab", max_size=40))
def test_tidy_skipping_absent_triggers_changes_nothing(text: str) -> None:
    assert tidy(text) == _tidy_every_rule(text)
