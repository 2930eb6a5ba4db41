"""Issue 10, "posts a space historian would sign": every example of the issue, through the
real command line on the bundled history.

Each test names the point of the issue it covers.  The whole history is previewed once per
configuration (orbital, suborbital, in memoriam) and the rows are shared by the tests.
"""

from __future__ import annotations

import io
import json
import logging
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.daemon.scheduler import Daemon
from bot.files.config import load_config
from bot.files.data import default_data_path, load_dataset
from bot.files.lock import StateLock
from bot.pipeline import open_pipeline

Rows = list[dict[str, Any]]
_CONFIGS = Path(tempfile.mkdtemp(prefix="spacebot-historian-"))
_SEEN: dict[tuple[str, str, str], Rows] = {}

SUBORBITAL = "engine:\n  include_suborbital: true\n"
IN_MEMORIAM = "announcements:\n  lost_crews: in_memoriam\n"
WITH_MEN = (
    "engine:\n  include_suborbital: true\n  scopes:\n    - name: world\n"
    "    - name: country\n      per: country\n    - name: women\n      gender: female\n"
    "    - name: men\n      gender: male\n    - name: nonbinary\n      gender: [nonbinary]\n"
)


def preview(cli: Callable[..., Any], config: str = "", start: str = "1961-01-01",
            end: str = "2026-07-03") -> Rows:  # fmt: skip
    """``spacebot preview --format json`` rows (cached per configuration and window)."""
    key = (config, start, end)
    if key not in _SEEN:
        args = ["preview", "--from", start, "--to", end, "--format", "json"]
        if config:
            path = _CONFIGS / f"config-{len(_SEEN)}.yaml"
            path.write_text(config, encoding="utf-8")
            args += ["--config", str(path)]
        run = cli(*args)
        assert run.code == 0, run.err
        _SEEN[key] = [json.loads(line) for line in run.out.splitlines()]
    return _SEEN[key]


def texts(rows: Rows) -> list[str]:
    return list(dict.fromkeys(r["text"] for r in rows))


def on(rows: Rows, day: str, kind: str | None = None, person: str | None = None) -> Rows:
    return [
        r
        for r in rows
        if r["at"].startswith(day)
        and (kind is None or r["kind"] == kind)
        and (person is None or r["person"] == person)
    ]


def one(rows: Rows) -> dict[str, Any]:
    assert len(rows) == 1, [r["text"] for r in rows]
    return rows[0]


# --- 1. people with more than one citizenship --------------------------------------------


def test_1_foale_holds_the_british_records_so_peake_sets_none(cli) -> None:
    rows = preview(cli)
    assert not [r for r in rows if r["person"] == "tim-peake" and r["kind"].startswith("record")]
    for kind in ("record_consecutive", "record_cumulative"):
        foale = one(on(rows, "1992-04-01", kind, "michael-foale"))
        assert foale["scopes"] == ["GB"]
        assert "Michael Foale" in foale["text"]
        assert "Helen Sharman's 7 days 21 hours" in foale["text"]
    landing = one(on(rows, "2016-06-18", "mission_end", "tim-peake"))
    assert "Peake now ranks 2nd in the UK" in landing["text"]
    assert "1st in the UK" not in landing["text"]


def test_1_andy_thomas_flew_long_before_eric_philips(cli) -> None:
    rows = preview(cli)
    thomas = one(on(rows, "1996-05-27", "record_cumulative", "andrew-thomas"))
    assert thomas["text"].startswith("Andy Thomas just passed Paul Scully-Power's 8 days 5 hours")
    fram2 = one(on(rows, "2025-04-04", "mission_end", "eric-philips"))
    assert "Philips now ranks 3rd in Australia" in fram2["text"]
    assert "1st in Australia" not in fram2["text"]


def test_1_meir_holds_the_swedish_records_so_wandt_sets_none(cli) -> None:
    rows = preview(cli)
    assert not on(rows, "2024-02-01", "record_consecutive", "marcus-wandt")
    meir = one(on(rows, "2019-10-09", "record_consecutive", "jessica-meir"))
    assert "the longest single spaceflight by a Swedish astronaut" in meir["text"]


def test_1_every_counted_citizenship_is_in_its_country_standings(cli) -> None:
    def standing(scope: str) -> list[str]:
        run = cli("leaderboard", "--kind", "cumulative", "--scope", scope, "--at",
                  "2026-07-01", "--format", "json", "--top", "50")  # fmt: skip
        assert run.code == 0, run.err
        return [json.loads(line)["person"] for line in run.out.splitlines()]

    gb = standing("GB")
    assert gb[:2] == ["michael-foale", "tim-peake"]
    assert {"piers-sellers", "nicholas-patrick", "richard-garriott"} <= set(gb)
    assert "mark-shuttleworth" not in gb  # counts himself South African; no UK body counts him
    assert standing("ES")[0] == "michael-lopez-alegria"
    assert "andrew-feustel" not in standing("CA")  # the CSA counts its own astronauts only
    assert "charles-simonyi" not in standing("HU")
    assert "talgat-musabaev" in standing("RU")
    assert "talgat-musabaev" in standing("KZ")


def test_1_countries_must_start_with_the_primary_country(cli, tmp_path: Path) -> None:
    data = tmp_path / "two.yaml"
    data.write_text(
        "as_of: 2020-01-01T00:00:00Z\npeople:\n  - id: a-b\n    name: A B\n    country: US\n"
        "    countries: [GB, US]\n    gender: male\n    flights:\n"
        "      - {mission: M, launch: 2019-01-01T00:00:00Z, landing: 2019-02-01T00:00:00Z}\n",
        encoding="utf-8",
    )
    run = cli("validate", "--data", data)
    assert run.code == 2
    assert f"{data}: line 6, person 'a-b'" in run.both
    assert "fix: write countries: [US, GB], or change 'country'" in run.both
    assert "must start with the primary 'country' (US), not GB" in run.both


# --- 2. the Soviet era ---------------------------------------------------------------------


def test_2_no_post_before_the_end_of_the_soviet_union_speaks_of_its_successors(cli) -> None:
    rows = preview(cli, SUBORBITAL)
    before = [r for r in rows if r["at"] < "1991-12-26"]
    for text in texts(before):
        assert not re.search(r"Russia|Ukrain|Kazakh|Belarus|Czech Republic", text), text
    assert not [r for r in before if set(r["scopes"]) & {"RU", "UA", "KZ", "BY", "CZ"}]
    soviet = one(on(rows, "1975-06-23", "record_consecutive", "pyotr-klimuk"))
    assert soviet["scopes"] == ["SU"]
    assert soviet["text"].endswith("the longest single spaceflight by a Soviet cosmonaut.")


def test_2_zholobov_and_artsebarsky_set_no_ukrainian_record_in_soviet_times(cli) -> None:
    rows = preview(cli)
    for person in ("vitaliy-zholobov", "anatoliy-artsebarskiy", "tokhtar-aubakirov"):
        assert not [r for r in rows if r["person"] == person and r["kind"].startswith("record")]
    # the Soviet crew of Soyuz 11 is one post again (Dobrovolsky was Ukrainian in the data)
    soyuz11 = on(rows, "1971-06-23", "record_consecutive")
    assert len(texts(soyuz11)) == 1
    assert texts(soyuz11)[0].startswith("Today Georgy Dobrovolsky, Viktor Patsaev and Vladislav")


def test_2_remek_and_jahn_rank_in_the_countries_of_their_time(cli) -> None:
    rows = preview(cli)
    remek = one(on(rows, "1978-03-10", "mission_end", "vladimir-remek"))
    assert "Remek now ranks 1st in Czechoslovakia for time in space." in remek["text"]
    jahn = one(on(rows, "1978-09-03", "mission_end", "sigmund-jahn"))
    assert "Jähn now ranks 1st in East Germany for time in space." in jahn["text"]
    # Merbold (West German) passed no German record in 1983: Jähn was East German then
    assert not on(rows, "1983-12-06", person="ulf-merbold")
    later = one(on(rows, "1994-11-04", "mission_end", "ulf-merbold"))
    assert "1st in Germany" in later["text"]


def test_2_belarus_counts_vasilevskaya_first(cli) -> None:
    rows = preview(cli)
    landing = one(on(rows, "2024-04-06", "mission_end", "marina-vasilevskaya"))
    assert "Vasilevskaya now ranks 1st in Belarus" in landing["text"]
    assert "Novitskiy's total: 545 days 1 hour." in landing["text"]  # no Belarusian rank
    assert not [
        t for t in texts(rows) if re.search(r"Novitskiy (now ranks|'s total)[^.]*Belarus", t)
    ]


def test_2_records_add_up_across_1991_and_soviet_keys_do_not_change(cli) -> None:
    rows = preview(cli)
    keys = {r["key"] for r in rows}
    # the keys these records had when they were "Russian" (a changed key would repost)
    assert "georgiy-grechko/record_consecutive/RU/5440808" in keys
    assert "vladislav-volkov/record_cumulative/RU/1869175" in keys
    padalka = one(on(rows, "2015-06-28", "record_cumulative", "gennady-padalka"))
    assert padalka["scopes"] == ["world", "RU"]  # Krikalev's 803 days include 1988-91
    run = cli("leaderboard", "--kind", "cumulative", "--scope", "SU", "--at", "1991-12-01",
              "--format", "json", "--top", "3")  # fmt: skip
    assert run.code == 0, run.err
    assert json.loads(run.out.splitlines()[0])["person"] == "musa-manarov"


# --- 3. crews who died ---------------------------------------------------------------------


LOST = {"1967-04-24": "Soyuz 1", "1971-06-29": "Soyuz 11", "2003-02-01": "STS-107"}


def test_3_no_post_says_a_lost_crew_is_back_on_earth(cli) -> None:
    for config in ("", SUBORBITAL, IN_MEMORIAM):
        rows = preview(cli, config)
        for text in texts(rows):
            if "back on Earth" in text or "returned to Earth" in text:
                assert not re.search(r"\((Soyuz 1|Soyuz 11|STS-107|X-15 3-65-97)\)", text), text
    rows = preview(cli, SUBORBITAL)
    for day in [*LOST, "1967-11-15"]:
        assert not on(rows, day, "mission_end"), day  # silent by default


def test_3_in_memoriam_is_the_operators_choice(cli) -> None:
    rows = preview(cli, IN_MEMORIAM)
    for day, mission in LOST.items():
        post = texts(on(rows, day, "in_memoriam"))
        assert len(post) == 1, (day, post)
        assert post[0].startswith("In memoriam: ")
        assert f"aboard {mission}" in post[0]
    assert texts(on(rows, "1971-06-29", "in_memoriam")) == [
        "In memoriam: Georgy Dobrovolsky, Viktor Patsaev and Vladislav Volkov died on June 29, "
        "1971 at the end of their flight aboard Soyuz 11, after 23 days 18 hours in space."
    ]


def test_3_records_set_on_a_lost_flight_still_count(cli) -> None:
    rows = preview(cli)
    assert on(rows, "1971-06-23", "record_consecutive", "vladislav-volkov")
    skylab = one(on(rows, "1973-06-18", "record_consecutive", "pete-conrad"))
    assert "passed the Soyuz 11 crew's 23 days 18 hours" in skylab["text"]


def test_3_lost_crews_setting_is_checked(cli, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("announcements:\n  lost_crews: loud\n", encoding="utf-8")
    run = cli("validate", "--config", config)
    assert run.code == 2
    assert "announcements.lost_crews" in run.both
    assert "silent or in_memoriam" in run.both
    config.write_text("engine:\n  kinds: [mission_end, in_memoriam]\n", encoding="utf-8")
    run = cli("validate", "--config", config)
    assert run.code == 2
    assert "lost_crews: in_memoriam" in run.both


# --- 4. records that a crew held together ----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "person", "kind", "key", "phrase"),
    [
        ("1978-02-02", "georgiy-grechko", "record_cumulative",
         "georgiy-grechko/record_cumulative/world/7262132", "the Skylab 4 crew's 84 days 1 hour"),
        ("1995-01-09", "valeri-polyakov", "record_consecutive",
         "valeri-polyakov/record_consecutive/world/31617537",
         "Vladimir Titov and Musa Manarov's 365 days 22 hours"),
        ("1970-06-15", "andriyan-nikolaev", "record_consecutive",
         "andriyan-nikolaev/record_consecutive/world/1190100",
         "Frank Borman and Jim Lovell's 13 days 18 hours"),
        ("1973-06-18", "joseph-kerwin", "record_consecutive",
         "joseph-kerwin/record_consecutive/world/2053303", "the Soyuz 11 crew's"),
        ("1982-11-14", "anatoliy-berezovoy", "record_consecutive",
         "anatoliy-berezovoy/record_consecutive/world/15970295",
         "Valery Ryumin and Leonid Popov's 184 days 20 hours"),
        ("2024-10-29", "li-cong", "record_consecutive", "li-cong/record_consecutive/CN/16180326",
         "the Shenzhou 17 crew's 187 days 6 hours"),
        ("2025-11-02", "chen-dong", "record_consecutive",
         "chen-dong/record_consecutive/CN/16604727", "the Shenzhou 18 crew's"),
        ("2026-05-23", "wu-fei", "record_consecutive", "wu-fei/record_consecutive/CN/17623380",
         "the Shenzhou 20 crew's 203 days 23 hours"),
    ],
)  # fmt: skip
def test_4_a_record_held_by_a_crew_names_the_crew(cli, day, person, kind, key, phrase) -> None:
    row = one(on(preview(cli), day, kind, person))
    assert row["key"] == key  # the key it had when it named one member
    assert f"passed {phrase}" in row["text"]


def test_4_popov_passes_the_record_ryumin_shared_and_extends(cli) -> None:
    row = one(on(preview(cli), "1980-10-01", "record_consecutive", "leonid-popov"))
    assert "passed Valery Ryumin and Vladimir Lyakhov's 175 days" in row["text"]


# --- 5. names as followers know them ---------------------------------------------------------


def test_5_names_in_common_use_short_names_spellings_and_accents(cli) -> None:
    all_text = "\n".join(texts(preview(cli)))
    for name in (
        "Frank Rubio", "Shane Kimbrough", "Jeff Williams", "Shubhanshu Shukla", "Philippe Perrin",
        "Franklin Chang-Díaz", "Vladimír Remek", "Vande Hei's total", "Caldwell Dyson's total",
        "Tamayo now ranks 1st in Cuba", "Duque's total", "Chang-Díaz's total",
        "Sheikh Muszaphar now ranks 1st",  # capitalised at the start of its sentence
    ):  # fmt: skip
        assert name in all_text, name
    for wrong in ("Francisco Rubio", "Robert Kimbrough", "Jeffrey Williams", "Shubanshu",
                  "Phillipe", "Chang-Diaz", "Mark Hei", "Tracy Dyson", "Méndez now", "Duque Duque",
                  "al Masrie", "Al Masrie", "Sergei Kud-Sverchkov"):  # fmt: skip
        assert wrong not in all_text, wrong
    # one transliteration within a post (it read "Sergei Kud-Sverchkov and Sergey Mikaev")
    assert (
        "Chris Williams, Sergey Kud-Sverchkov and Sergey Mikaev have now spent 100 days" in all_text
    )


def test_5_the_previous_holders_short_name_follows_the_same_rule(cli, tmp_path: Path) -> None:
    # Regression: {previous_short_name} ignored the data's short_name and the country's
    # name order for one previous holder: "Rubio passed Hei", "Fei passed Liwei".
    templates = tmp_path / "templates.yaml"
    templates.write_text(
        "record_consecutive:\n  text: '{short_name} passed {previous_short_name}.'\n",
        encoding="utf-8",
    )
    config = f"announcements:\n  templates: {templates}\n"
    rubio = one(on(preview(cli, config, "2023-09-11", "2023-09-11"), "2023-09-11",
                   "record_consecutive", "francisco-rubio"))  # fmt: skip
    assert rubio["text"].startswith("Rubio passed Vande Hei."), rubio["text"]
    fei = one(on(preview(cli, config, "2005-10-12", "2005-10-14"), "2005-10-1",
                 "record_consecutive", "fei-junlong"))  # fmt: skip
    assert fei["text"].startswith("Fei and Nie passed Yang."), fei["text"]


def test_a_landing_ranks_the_flight_that_ended_not_the_persons_best(cli) -> None:
    # Regression: Apollo 13's landing gave Jim Lovell "1st in the world" for single-flight
    # length: that standing was Gemini VII's, not this flight's (39 such mission ends).
    lovell = one(on(preview(cli), "1970-04-17", "mission_end", "james-lovell"))
    assert [r for r in lovell["ranks"] if r["measure"] == "consecutive"] == []
    assert [r for r in lovell["ranks"] if r["measure"] == "cumulative"]  # his total: news
    kelly = one(on(preview(cli), "2016-03-02", "mission_end", "scott-kelly"))
    assert [r for r in kelly["ranks"] if r["measure"] == "consecutive"]  # his longest


def test_5_a_name_change_never_changes_the_id(cli) -> None:
    keys = {r["key"] for r in preview(cli)}
    assert "jeffrey-williams/mission_end/-/20090930T071445Z" in keys  # Jeff Williams
    assert "francisco-rubio/mission_end/-/20220921T135449Z" in keys  # Frank Rubio


# --- 6. vehicle names in time ----------------------------------------------------------------


def test_6_a_flight_is_named_by_vehicles_that_had_flown(cli) -> None:
    rows = preview(cli)
    june = one(on(rows, "2024-06-27", "milestone_cumulative", "butch-wilmore"))
    assert "(currently aboard Starliner CFT)" in june["text"]
    assert "Crew-9" not in " ".join(r["text"] for r in rows if r["at"] < "2024-09-28T17:17:20")
    home = one(on(rows, "2025-03-18", "mission_end", "butch-wilmore"))
    assert "(Starliner CFT / Dragon Crew-9)" in home["text"]
    dataset = load_dataset(default_data_path())
    people = {p.id: p for p in dataset.people}
    for r in rows:
        if " / " not in r["mission"]:
            continue
        at = _at(r)
        (flight,) = [
            f
            for f in people[r["person"]].flights
            if f.launch <= at and (f.landing is None or at <= f.landing)
        ]
        assert flight.landing_vehicle_launch is not None
        assert flight.landing_vehicle_launch <= at, (r["key"], r["mission"])


def _at(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["at"].replace("Z", "+00:00")).astimezone(UTC)


# --- 7. durations a reader can check ---------------------------------------------------------


def test_7_short_flights_keep_their_minutes(cli) -> None:
    rows = preview(cli)
    titov = one(on(rows, "1961-08-06", "record_consecutive", "gherman-titov"))
    assert "passed Yuri Gagarin's 1 hour 48 minutes" in titov["text"]
    gagarin = one(on(rows, "1961-04-12", "mission_end", "yuri-gagarin"))
    assert gagarin["value_seconds"] == 108 * 60  # Vostok 1's official 108 minutes
    assert "after 1 hour 48 minutes in space (Vostok 1)" in gagarin["text"]


@pytest.mark.parametrize(
    ("day", "person", "length"),
    [
        ("2024-09-23", "oleg-kononenko", "373 days 20 hours"),  # Roscosmos: 374
        ("2023-09-27", "francisco-rubio", "370 days 21 hours"),  # NASA: 371
        ("2026-01-15", "kimiya-yui", "166 days 16 hours"),  # Crew-11; NASA: 167
        ("2025-11-14", "chen-dong", "203 days 23 hours"),  # Shenzhou 20; CMSA: 204
    ],
)
def test_7_never_fewer_whole_days_than_the_agencies(cli, day, person, length) -> None:
    row = one(on(preview(cli), day, "mission_end", person))
    assert f"back on Earth after {length} in space" in row["text"]


def test_7_never_zero_hours(cli) -> None:
    for config in ("", SUBORBITAL):
        for text in texts(preview(cli, config)):
            assert not re.search(r"\b0 (hours|days|minutes)\b", text), text


# --- 8. gender beyond two values -------------------------------------------------------------


def test_8_a_nonbinary_person_counts_neither_as_a_man_nor_as_a_woman(cli) -> None:
    rows = preview(cli, WITH_MEN, "2021-12-11", "2021-12-11")
    landing = one(on(rows, "2021-12-11", "mission_end", "cameron-bess"))
    scopes = {r["scope"] for r in landing["ranks"]}
    assert "men" not in scopes
    assert "women" not in scopes
    assert "nonbinary" in scopes  # an operator scope that lists them
    for person in ("gretchen-green", "aymette-medina-jorge"):
        row = one(on(preview(cli, WITH_MEN, "2025-05-31", "2025-05-31"), "2025-05-31",
                     "mission_end", person))  # fmt: skip
        assert "women" in {r["scope"] for r in row["ranks"]}


def test_8_their_for_nonbinary_and_unknown(cli, tmp_path: Path) -> None:
    data = tmp_path / "d.yaml"
    lines = ["as_of: 2020-12-31T00:00:00Z", "people:"]
    for pid, gender, day in (("alex-a", "nonbinary", "01"), ("sam-b", "unknown", "02")):
        first = f"launch: 2019-01-{day}T00:00:00Z, landing: 2019-05-01T00:00:00Z"
        second = f"launch: 2020-01-{day}T00:00:00Z, landing: 2020-06-01T00:00:00Z"
        lines += [
            f"  - id: {pid}", f"    name: {pid.title()}", "    country: US",
            f"    gender: {gender}", "    flights:",
            f"      - {{mission: A, {first}}}", f"      - {{mission: B, {second}}}",
        ]  # fmt: skip
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("preview", "--data", data, "--from", "2020-01-01", "--to", "2020-06-30")
    assert run.code == 0, run.err
    assert run.out.count("across all their flights") == 2
    assert "his flights" not in run.out
    assert "her flights" not in run.out


# --- 9. suborbital data ----------------------------------------------------------------------


def test_9_ns18_lasted_10_min_9_s_so_no_false_australian_record(cli) -> None:
    rows = preview(cli, SUBORBITAL)
    assert not [r for r in rows if r["kind"].startswith("record") and "AU" in r["scopes"]
                and r["at"] > "2025"]  # fmt: skip
    boshuizen = one(on(rows, "2021-10-13", "mission_end", "christopher-boshuizen"))
    assert boshuizen["value_seconds"] == 10 * 60 + 9


def test_9_aborted_launches_never_count(cli) -> None:
    rows = preview(cli, SUBORBITAL)
    assert not on(rows, "1975-04-05")
    assert not on(rows, "2018-10-11")
    hague = one(on(rows, "2019-10-03", "mission_end", "nick-hague"))
    assert hague["total_seconds"] == hague["value_seconds"]  # MS-10's 19 minutes left out
    grissom = one(on(rows, "1961-07-21", "record_consecutive", "gus-grissom"))
    assert "passed Alan Shepard's 15 minutes" in grissom["text"]


# --- 10. impossible dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("launch", "2020-02-30T10:00:00Z", "day is out of range for month"),
        ("landing", "2020-13-01T10:00:00Z", "month must be in 1..12"),
        ("planned_landing", "2020-03-01T25:00:00Z", "hour must be in 0..23"),
        ("landing_vehicle_launch", "2020-02-30T10:00:00Z", "day is out of range for month"),
        ("as_of", "2020-02-30T10:00:00Z", "day is out of range for month"),
    ],
)
def test_10_an_impossible_date_is_a_data_error_naming_file_line_person_field(
    cli, tmp_path: Path, field: str, value: str, reason: str
) -> None:
    flight = {"mission": "A", "launch": "2020-01-01T10:00:00Z", "landing_vehicle": "B"}
    if field != "as_of":
        flight[field] = value
    body = ", ".join(f"{k}: {v}" for k, v in flight.items())
    data = tmp_path / "bad.yaml"
    data.write_text(
        f"as_of: {value if field == 'as_of' else '2020-06-01T00:00:00Z'}\npeople:\n"
        "  - id: x-y\n    name: X Y\n    country: US\n    gender: male\n    flights:\n"
        f"      - {{{body}}}\n",
        encoding="utf-8",
    )
    run = cli("validate", "--data", data)
    assert run.code == 2, run.both
    assert "Traceback" not in run.both
    assert "ValueError" not in run.both
    line = 1 if field == "as_of" else 8
    where = "as_of" if field == "as_of" else "person 'x-y', flight 1 (A)"
    assert f"{data}: line {line}, {where}: '{field}' is not a real date or time" in run.both
    assert reason in run.both
    assert "fix: check the day of the month, the month and the time" in run.both


def test_10_a_daemon_reloading_an_impossible_date_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data.yaml"
    good = (
        "as_of: 2020-06-01T00:00:00Z\npeople:\n  - id: x-y\n    name: X Y\n    country: US\n"
        "    gender: male\n    flights:\n"
        "      - {mission: A, launch: 2020-01-01T10:00:00Z, landing: 2020-02-01T10:00:00Z}\n"
    )
    data.write_text(good, encoding="utf-8")
    env = {"SPACEBOT_STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, env, data=data)
    config.state_dir.mkdir()
    with StateLock(config.state_dir) as lock:
        pipeline = open_pipeline(config, env=env, stdout=io.StringIO(), dry_run=True, lock=lock)
        try:
            daemon = Daemon(pipeline, config, dry_run=True, load_config=lambda: config)
            data.write_text(good.replace("2020-02-01T10", "2020-02-30T10"), encoding="utf-8")
            with caplog.at_level(logging.INFO, logger="spacebot"):
                assert daemon.reload("SIGHUP") is False
        finally:
            pipeline.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is None  # no traceback
    message = errors[0].getMessage()
    assert "\n" not in message
    assert f"{data}: line 8, person 'x-y', flight 1 (A)" in message
    assert "'landing' is not a real date or time: 2020-02-30T10:00:00Z" in message
    assert "day is out of range for month" in message
    assert pipeline.loaded.dataset.people[0].flights[0].landing is not None  # last good data
