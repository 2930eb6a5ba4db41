"""The McDowell importer: parsers, conversion, corrections, cross-check and the command.

The fixtures in tests/fixtures/mcdowell/ are cut from the real lists (a few people each):
Gagarin (a plain ride), Scott Carpenter (a name with '*'), Rushworth (X-15, suborbital),
Suraev (Soyuz TMA-16, corrected), Laliberté (up in TMA-16, down in TMA-14), Wilmore
(Starliner CFT up, Dragon Crew-9 down, after the rides list), Chub (in flight in the rides
list, home in Soyuz MS-25), Chen Zhongrui (Chinese name; Shenzhou 20 up, 21 down), Wu Fei
(home in a vehicle missing from the missions list), Laura Stiles (gender corrected) and
Zhang Zhiyuan (in space at the lists' date).
"""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.cli import Context
from bot.commands import import_mcdowell
from bot.core.model import Flight, Person
from bot.errors import DataError
from bot.sources.mcdowell.build import ImportResult, build, mission_title, render, up_and_down
from bot.sources.mcdowell.corrections import parse_corrections
from bot.sources.mcdowell.names import country_code, display_name, slug
from bot.sources.mcdowell.parse import (
    MissionRow,
    parse_astro,
    parse_missions_tsv,
    parse_missions_txt,
    parse_rides,
    parse_span,
    parse_stamp,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mcdowell"
PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mcdowell"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def convert(folder: Path = FIXTURES, corrections: Path | None = None) -> ImportResult:
    corrections = corrections or FIXTURES / "corrections.yaml"
    rides = folder / "rides_2024-05-19.tsv"
    missions = folder / "missions_2024-05-19.tsv"
    astro = folder / "astro_2026-07-03.txt"
    missions_new = folder / "missions_2026-07-03.txt"
    return build(
        parse_rides(rides.read_text(encoding="utf-8"), str(rides)),
        parse_missions_tsv(missions.read_text(encoding="utf-8"), str(missions)),
        parse_astro(astro.read_text(encoding="utf-8"), str(astro)),
        parse_missions_txt(missions_new.read_text(encoding="utf-8"), str(missions_new)),
        parse_corrections(corrections.read_text(encoding="utf-8"), str(corrections)),
    )


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return convert()


def person(result: ImportResult, source_id: str) -> Person:
    return next(p for p in result.people if p.source_id == source_id)


def only_flight(result: ImportResult, source_id: str, mission_start: str) -> Flight:
    return next(f for f in person(result, source_id).flights if f.mission.startswith(mission_start))


# --- parsers -------------------------------------------------------------------------


def test_times_are_utc_with_minutes_and_seconds_packed_together() -> None:
    assert parse_stamp("2015 Mar 27 1942:57").instant == utc(2015, 3, 27, 19, 42, 57)
    stamp = parse_stamp("1961 Aug  6 0600")
    assert stamp.instant == utc(1961, 8, 6, 6, 0, 0)
    assert stamp.precision == "minute"
    assert parse_stamp("2024 Jan 26 1756?").uncertain


def test_durations_with_three_or_four_parts_and_marks() -> None:
    assert parse_span("340:08:42:54").seconds == 340 * 86400 + 8 * 3600 + 42 * 60 + 54
    assert parse_span("1:01:14").seconds == 86400 + 3600 + 14 * 60  # days:hours:minutes
    assert parse_span("76:13:01:34*").ongoing
    assert parse_span("0:00:13?").uncertain
    assert parse_span("217*").seconds == 217 * 86400


def test_rides_keep_only_human_rides() -> None:
    text = (FIXTURES / "rides_2024-05-19.tsv").read_text(encoding="utf-8")
    rides = parse_rides(text, "rides.tsv")
    assert rides.updated == utc(2024, 5, 19, 16, 55, 12)
    ids = {r.person_id for r in rides.rides}
    assert "AA-00001" not in ids  # Ham the chimpanzee
    assert all(r.tag != "X3A11" for r in rides.rides)  # an aborted X-15 flight


def test_astro_reads_the_flown_astronauts_section_only() -> None:
    text = (FIXTURES / "astro_2026-07-03.txt").read_text(encoding="utf-8")
    astro = parse_astro(text, "astro.txt")
    ids = [p.source_id for p in astro.people]
    assert "AS-00001" in ids
    assert not any(i.startswith(("AA-", "AF-")) for i in ids)
    zhang = next(p for p in astro.people if p.source_id == "AS-00782")
    assert zhang.total.ongoing
    assert zhang.uname == "张志远"


def test_bad_rides_line_names_file_and_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "rides_2024-05-19.tsv").read_text(encoding="utf-8").splitlines()
    cells = lines[6].split("\t")
    cells[12] = "1961 Apx 12 0607:00"
    lines[6] = "\t".join(cells)
    with pytest.raises(DataError) as caught:
        parse_rides("\n".join(lines), "rides_bad.tsv")
    problem = caught.value.problems[0]
    assert (problem.source, problem.where) == ("rides_bad.tsv", "line 7")
    assert "1961 Apx 12" in problem.message
    assert problem.fix


def test_misaligned_fixed_width_row_names_file_and_line() -> None:
    lines = (FIXTURES / "astro_2026-07-03.txt").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("AS-00001"))
    lines[row] = lines[row][:9] + "X" + lines[row][9:]  # shifts every column by one
    with pytest.raises(DataError) as caught:
        parse_astro("\n".join(lines), "astro_bad.txt")
    assert caught.value.problems[0].where == f"line {row + 1}"
    assert caught.value.problems[0].source == "astro_bad.txt"


def test_missing_updated_line_is_a_data_error() -> None:
    with pytest.raises(DataError, match="Updated"):
        parse_missions_txt("<PRE>\nHSFID    HSFTAG\n</PRE>\n", "missions.txt")


# --- names and countries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "uname", "citizen", "expected"),
    [
        ("Carpenter, Malcolm *Scott", "", "US", "Scott Carpenter"),
        ("Cooper, Leroy *Gordon, Jr", "", "US", "Gordon Cooper"),
        ("Whitson, Peggy Annette", "", "US", "Peggy Whitson"),
        ("Grissom, Virgil Ivan 'Gus'", "", "US", "Virgil Grissom"),
        ("Koch (Hammock), Christina M.", "", "US", "Christina Koch"),
        ("Williams, Sunita Lyn (Pandya Kr", "", "US", "Sunita Williams"),
        ("Chen Zhongrui", "陈中瑞", "CN", "Chen Zhongrui"),
        ("Wakata Koichi", "若田 光一", "J", "Koichi Wakata"),
        ("Lopez-Alegria, Michael Eladio", "López-Alegría, Michael", "US", "Michael López-Alegría"),
        ("Solov'yov, Anatoliy Yakovlevich", "Соловьёв, Анатолий", "RU", "Anatoliy Solovyov"),
        ("O'Hara, Loral Ashley", "", "US", "Loral O'Hara"),
        (
            "Uznanski-Wisniewski, Slawosz",
            "Uznański-Wiśniewski, Sławosz",
            "PL",
            "Sławosz Uznański-Wiśniewski",
        ),
    ],
)
def test_display_names(name: str, uname: str, citizen: str, expected: str) -> None:
    assert display_name(name, uname, citizen) == expected


def test_slugs_are_lowercase_ascii() -> None:
    assert slug("Michael López-Alegría") == "michael-lopez-alegria"
    assert slug("Loral O'Hara") == "loral-o-hara"


@pytest.mark.parametrize(
    ("code", "iso"),
    [
        ("US", "US"),
        ("D", "DE"),
        ("J", "JP"),
        ("UK", "GB"),
        ("F", "FR"),
        ("E", "ES"),
        ("UAE", "AE"),
        ("CSSR", "CZ"),
        ("DD", "DE"),
        ("PAR", "PA"),
        ("N", "NO"),
        ("S", "SE"),
    ],
)
def test_country_codes(code: str, iso: str) -> None:
    assert country_code(code) == (iso, None)


def test_uncertain_and_dual_citizenship_take_the_first_with_a_remark() -> None:
    assert country_code("US?")[0] == "US"
    iso, remark = country_code("US/GB")
    assert iso == "US"
    assert remark is not None
    with pytest.raises(ValueError, match="XX"):
        country_code("XX")


def test_mission_titles_read_like_followers_know_them() -> None:
    def row(tag: str, ship: str, callsign: str = "-") -> MissionRow:
        return MissionRow(0, "H0", tag, ship, None, None, None, 1, callsign, "", "", "FLT")

    assert mission_title(row("STS41B", "STS 41-B")) == "STS-41-B"
    assert mission_title(row("STS103", "STS-103")) == "STS-103"
    assert mission_title(row("S5", "Soyuz-5")) == "Soyuz 5"
    assert mission_title(row("V1", "Vostok")) == "Vostok 1"
    assert mission_title(row("MR3", "Freedom Seven")) == "Mercury-Redstone 3 (Freedom 7)"
    assert mission_title(row("X32031", "X-15-3", "3-20-31")) == "X-15 3-20-31"
    assert up_and_down("Soyuz TMA-16M", "Soyuz TMA-18M") == "Soyuz TMA-16M / TMA-18M"
    assert up_and_down("Shenzhou 20", "Shenzhou 21") == "Shenzhou 20 / Shenzhou 21"


# --- the conversion --------------------------------------------------------------------


def test_a_normal_ride(result: ImportResult) -> None:
    gagarin = person(result, "AS-00001")
    assert (gagarin.id, gagarin.name, gagarin.country, gagarin.gender) == (
        "yuri-gagarin",
        "Yuri Gagarin",
        "RU",
        "male",
    )
    (flight,) = gagarin.flights
    assert flight.mission == "Vostok 1"
    assert flight.launch == utc(1961, 4, 12, 6, 7, 0)
    assert flight.landing == utc(1961, 4, 12, 7, 47, 0)  # 0:01:40 is days:hours:minutes
    assert not flight.suborbital


def test_a_name_with_a_star_and_a_chinese_name(result: ImportResult) -> None:
    assert person(result, "AS-00006").name == "Scott Carpenter"
    assert person(result, "AS-00006").id == "scott-carpenter"
    assert person(result, "AS-00734").name == "Chen Zhongrui"
    assert person(result, "AS-00734").country == "CN"


def test_suborbital_ride(result: ImportResult) -> None:
    (flight,) = person(result, "AS-00015").flights
    assert flight.suborbital
    assert flight.mission == "X-15 3-20-31"


def test_ride_in_flight_at_the_rides_date_is_resolved_from_the_newer_lists(
    result: ImportResult,
) -> None:
    flight = only_flight(result, "AS-00666", "Soyuz MS-24")
    assert flight.mission == "Soyuz MS-24 / MS-25"
    assert flight.landing == utc(2024, 9, 23, 11, 59, 22)
    assert flight.landing_vehicle == "Soyuz MS-25"


def test_came_home_in_another_vehicle_in_the_rides_list(result: ImportResult) -> None:
    (flight,) = person(result, "AS-00513").flights
    assert flight.mission == "Soyuz TMA-16 / TMA-14"
    assert flight.landing == utc(2009, 10, 11, 4, 31, 43)


def test_came_home_in_another_vehicle_after_the_rides_list(result: ImportResult) -> None:
    flight = only_flight(result, "AS-00514", "Starliner")
    assert flight.mission == "Starliner CFT / Dragon Crew-9"
    assert flight.launch == utc(2024, 6, 5, 14, 52, 15)
    assert flight.landing == utc(2025, 3, 18, 21, 57, 7)
    assert (flight.launch_vehicle, flight.landing_vehicle) == ("Starliner CFT", "Dragon Crew-9")
    assert flight.note is not None
    (chen,) = person(result, "AS-00734").flights
    assert chen.mission == "Shenzhou 20 / Shenzhou 21"
    assert chen.landing == utc(2025, 11, 14, 8, 40, 31)


def test_landing_in_a_vehicle_missing_from_the_lists_comes_from_astros_total(
    result: ImportResult,
) -> None:
    (flight,) = person(result, "AS-00763").flights
    assert flight.mission == "Shenzhou 21"
    assert flight.landing == utc(2026, 5, 29, 12, 11, 0)
    assert flight.note is not None
    assert "not in his missions list" in flight.note


def test_in_space_at_the_lists_date(result: ImportResult) -> None:
    (flight,) = person(result, "AS-00782").flights
    assert flight.ongoing
    assert flight.mission == "Shenzhou 23"
    assert result.ongoing == 1


def test_soyuz_tma_16_correction(result: ImportResult) -> None:
    flight = only_flight(result, "AS-00512", "Soyuz TMA-16")
    assert flight.landing == utc(2010, 3, 18, 11, 24, 4)
    assert flight.note is not None
    assert "corrected" in flight.note
    (difference,) = [d for d in result.differences if d.source_id == "AS-00512"]
    assert difference.delta == 86400
    assert difference.explanation is not None
    assert "soyuz-tma-16-landing" in difference.explanation


def test_gender_and_name_corrections_and_a_stale_one(result: ImportResult) -> None:
    assert person(result, "AS-00778").gender == "female"
    assert any(c.startswith("laura-stiles-gender") for c in result.corrections)
    assert not any(c.startswith("stale-landing") for c in result.corrections)
    assert any("stale-landing" in w and "not applied" in w for w in result.warnings)


def test_cross_check_everyone_matches_or_is_explained(result: ImportResult) -> None:
    assert result.unexplained == ()
    assert result.matched + len(result.differences) == len(result.people) == 11


def test_people_in_order_of_first_launch(result: ImportResult) -> None:
    firsts = [p.flights[0].launch for p in result.people]
    assert firsts == sorted(firsts)
    assert result.people[0].source_id == "AS-00001"


def test_output_is_deterministic_and_has_only_allowed_keys(result: ImportResult) -> None:
    text = render(result)
    assert text == render(convert())
    assert "Jonathan C. McDowell, planet4589.org" in text.splitlines()[7]
    assert "launch: 1961-04-12T06:07:00Z\n" in text  # plain timestamps, not quoted
    data = yaml.safe_load(text)
    assert list(data) == ["as_of", "source", "corrections", "people"]
    assert data["as_of"] == utc(2026, 7, 3, 7, 3, 57)
    for entry in data["people"]:
        person_keys = [
            "id",
            "name",
            "common_name",
            "short_name",
            "country",
            "countries",
            "gender",
            "source_id",
            "flights",
        ]
        assert list(entry) == [k for k in person_keys if k in entry]
        allowed = [
            "mission",
            "launch",
            "landing",
            "planned_landing",
            "suborbital",
            "aborted",
            "crew_lost",
            "flag",
            "launch_vehicle",
            "landing_vehicle",
            "landing_vehicle_launch",
            "note",
        ]
        for flight in entry["flights"]:
            assert list(flight) == [k for k in allowed if k in flight]


def test_bad_corrections_file_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "corrections:\n  - {id: x, kind: landing, people: [A], was: 1, value: 2,"
        " reason: r, sources: [s], colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        parse_corrections(bad.read_text(encoding="utf-8"), str(bad))
    assert caught.value.problems[0].where == "correction 1 (x)"
    assert "colour" in caught.value.problems[0].message


# --- the command -----------------------------------------------------------------------


def run_command(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    import_mcdowell.register(parser.add_subparsers())
    args = parser.parse_args(["import-mcdowell", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, Context(stdout=out, stderr=err, env={}))
    return code, out.getvalue(), err.getvalue()


def test_command_writes_then_checks(tmp_path: Path) -> None:
    out = tmp_path / "history.yaml"
    common = (
        "--dir",
        str(FIXTURES),
        "--corrections",
        str(FIXTURES / "corrections.yaml"),
        "--out",
        str(out),
    )
    code, stdout, _ = run_command(*common)
    assert code == 0
    assert "people: 11" in stdout
    assert "cross-check" in stdout
    assert run_command(*common, "--check")[0] == 0
    out.write_text(out.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    code, _, stderr = run_command(*common, "--check")
    assert code == 1
    assert "differs" in stderr


def test_command_unreadable_input_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        run_command("--dir", str(tmp_path), "--out", str(tmp_path / "h.yaml"))
    assert caught.value.problems[0].source == str(tmp_path)


@pytest.mark.parametrize("where", ["missing", "a-file"])
def test_command_a_dir_that_is_no_folder_is_a_data_error(tmp_path: Path, where: str) -> None:
    # Regression: FileNotFoundError / NotADirectoryError, exit 1, "a bug"
    folder = tmp_path / where
    if where == "a-file":
        folder.write_text("")
    with pytest.raises(DataError, match="cannot list it"):
        run_command("--dir", str(folder), "--out", str(tmp_path / "h.yaml"))


def test_command_an_output_it_cannot_write_is_a_data_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(DataError, match="cannot write it"):
        run_command(
            "--dir", str(FIXTURES), "--corrections", str(FIXTURES / "corrections.yaml"),
            "--out", str(blocker / "history.yaml"),
        )  # fmt: skip


# --- the real lists --------------------------------------------------------------------


@pytest.mark.slow
def test_real_lists_give_exactly_the_committed_history() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"McDowell's lists are not at {SHARED} (only in the project's workspace)")
    result = convert(SHARED, PROJECT / "bot" / "sources" / "mcdowell" / "corrections.yaml")
    committed = (PROJECT / "schedules" / "history.yaml").read_text(encoding="utf-8")
    assert render(result) == committed, "rerun: spacebot import-mcdowell --dir " + str(SHARED)
    assert result.unexplained == ()

    def total(pid: str, before: int = 9999) -> int:
        p = next(x for x in result.people if x.id == pid)
        return sum(f.duration_seconds or 0 for f in p.flights if f.launch.year < before)

    def d(days: int, h: int, m: int, s: int) -> int:
        return ((days * 24 + h) * 60 + m) * 60 + s

    assert total("gennady-padalka") == d(878, 11, 30, 2)
    assert total("scott-kelly") == d(520, 10, 31, 58)
    assert total("michael-fincke", before=2016) == d(381, 15, 8, 8)
    kelly = next(x for x in result.people if x.id == "scott-kelly").flights[-1]
    assert kelly.launch == utc(2015, 3, 27, 19, 42, 57)
    assert kelly.duration_seconds is not None
    assert kelly.duration_seconds // 86400 == 340
    lopez = next(x for x in result.people if x.id == "michael-lopez-alegria")
    assert max(f.duration_seconds or 0 for f in lopez.flights) == d(215, 8, 22, 22)
