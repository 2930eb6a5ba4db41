"""Bad mission data and config: clear errors naming file, entry and fix; exit 2; no traceback."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from bot.cli import Context, main
from bot.errors import DataError
from bot.files.data import load_dataset

GOOD = """\
as_of: 2026-07-03T00:00:00Z
people:
  - id: scott-kelly
    name: Scott Kelly
    country: US
    gender: male
    flights:
      - mission: STS-103
        launch: 1999-12-20T00:50:00Z
        landing: 1999-12-28T00:00:47Z
      - mission: Soyuz TMA-16M / TMA-18M
        launch: 2015-03-27T19:42:57Z
        landing: 2016-03-02T04:25:51Z
        planned_landing: 2016-03-02T04:26:00Z
"""


def write(tmp_path: Path, text: str, name: str = "data.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Context(stdout=out, stderr=err, env={}))
    return code, out.getvalue(), err.getvalue()


def test_good_data_loads(tmp_path):
    ds = load_dataset(write(tmp_path, GOOD))
    (kelly,) = ds.people
    assert [f.mission for f in kelly.flights] == ["STS-103", "Soyuz TMA-16M / TMA-18M"]
    code, out, _ = run("validate", "--data", str(tmp_path / "data.yaml"))
    assert code == 0
    assert "1 people, 2 flights" in out


CASES = [
    ("launch: 2015-03-27T19:42:57Z", "launch: 2015-03-27T19:42:57", "no UTC offset", "line 12"),
    (
        "landing: 2016-03-02T04:25:51Z",
        "landing: 2015-03-01T00:00:00Z",
        "not after launch",
        "TMA-18M",
    ),
    ("country: US", "country: XX", "unknown country code 'XX'", "scott-kelly"),
    ("gender: male", "gender: robot", "unknown gender 'robot'", "male, female"),
    (
        "    name: Scott Kelly\n",
        "    name: Scott Kelly\n    nickname: Scotty\n",
        "unknown field 'nickname'",
        "line 5",
    ),
    ("    name: Scott Kelly\n", "", "missing field 'name'", "add 'name: ...'"),
    (
        "        launch: 2015-03-27T19:42:57Z",
        "        launch: 1999-12-27T00:00:00Z",
        "flights overlap",
        "one flight at a time",
    ),
    ("        landing: 1999-12-28T00:00:47Z\n", "", "still in space", "scott-kelly"),
    ("id: scott-kelly", "id: Scott Kelly", "not a slug", "lowercase"),
    ("launch: 1999-12-20T00:50:00Z", "launch: 1999-12-20", "date without a time", "line 9"),
]


@pytest.mark.parametrize(("old", "new", "message", "detail"), CASES)
def test_each_problem_names_file_entry_and_fix(tmp_path, old, new, message, detail):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(DataError) as info:
        load_dataset(path)
    text = info.value.render()
    assert message in text
    assert detail in text
    assert str(path) in text
    code, out, err = run("validate", "--data", str(path))
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_two_ongoing_flights(tmp_path):
    text = GOOD.replace("        landing: 1999-12-28T00:00:47Z\n", "").replace(
        "        landing: 2016-03-02T04:25:51Z\n", ""
    )
    with pytest.raises(DataError, match="more than one ongoing flight"):
        load_dataset(write(tmp_path, text))


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("    country: US", "    country: [US"))
    code, _, err = run("preview", "--from", "2015-01-01", "--to", "2015-02-01", "--data", str(path))
    assert code == 2
    assert "YAML syntax error" in err
    assert "line " in err
    assert "Traceback" not in err


def test_every_problem_is_reported_at_once(tmp_path):
    bad = GOOD.replace("country: US", "country: XX").replace("gender: male", "gender: robot")
    with pytest.raises(DataError) as info:
        load_dataset(write(tmp_path, bad))
    assert len(info.value.problems) == 2


def test_duplicate_ids_across_files_of_a_directory(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(DataError, match="duplicate id"):
        load_dataset(tmp_path)


@pytest.mark.parametrize("broken", ["a.yaml", "b.yaml"])
def test_a_duplicate_id_is_reported_even_when_an_entry_has_errors_of_its_own(tmp_path, broken):
    # Regression: an entry with another error was left out of the duplicate-id check, so
    # fixing that error revealed a second problem the first run had not named.
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    write(tmp_path, GOOD.replace("country: US", "country: XX"), broken)
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    messages = [p.message for p in info.value.problems]
    assert any("unknown country code 'XX'" in m for m in messages)
    (duplicate,) = [p for p in info.value.problems if "duplicate id" in p.message]
    assert duplicate.source.endswith("b.yaml")
    assert "a.yaml" in duplicate.message


def test_directory_files_are_merged(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    other = GOOD.replace("scott-kelly", "mark-kelly").replace(
        "as_of: 2026-07-03", "as_of: 2026-01-01"
    )
    write(tmp_path, other, "b.yaml")
    ds = load_dataset(tmp_path)
    assert {p.id for p in ds.people} == {"scott-kelly", "mark-kelly"}
    assert (ds.as_of.year, ds.as_of.month) == (2026, 1)  # the least recent as_of wins


def test_missing_data_path():
    code, _, err = run("validate", "--data", "/nonexistent/x.yaml")
    assert code == 2
    assert "does not exist" in err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("timezone: Mars/Olympus\n", "unknown time zone"),
        (
            "engine:\n  scopes:\n    - name: europe\n      countries: [QQ]\n",
            "unknown country code 'QQ'",
        ),
        ("tiemzone: UTC\n", "did you mean 'timezone'"),
        ("schedule:\n  post_at: sometimes\n", "use crossing or check"),
        ("targets:\n  - name: a\n    platform: myspace\n", "unknown platform"),
        ("targets: [\n", "YAML syntax error"),
        ("targets:\n  - name: main-x\n    platform: x\n", "SPACEBOT_MAIN_X_API_KEY"),
    ],
)
def test_bad_config_exits_2_with_a_clear_message(tmp_path, config, message):
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")
    code, out, err = run("validate", "--config", str(path))
    assert code == 2, err
    assert message in err
    assert "Traceback" not in out + err


def test_missing_config_file():
    code, _, err = run("validate", "--config", "/nonexistent/config.yaml")
    assert code == 2
    assert "not found" in err


def test_bundled_data_and_example_config_validate():
    root = Path(__file__).resolve().parents[1]
    code, out, err = run("validate", "--config", str(root / "config.example.yaml"))
    assert code == 0, err
    assert "ok:" in out
