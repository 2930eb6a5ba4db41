"""LL2 2.3.0 JSON in, frozen dataclasses out: pure, no I/O.

Every value is type-checked; a bad one raises :class:`LL2Error` naming the endpoint and
the JSON path of the field (``$.results[3].flights[0].net: expected a date-time string,
got 42``).  Fields we do not use are ignored, so LL2 may add fields freely.

What the types carry, and LL2's own meaning of it (2.3.0 schema and recordings):

* :class:`LL2Astronaut`: one person.  ``flights`` are the LAUNCHES they were (or are
  planned to be) on, each with its ``net`` (launch instant); ``landings`` are the
  SPACECRAFT FLIGHTS they came (or are planned to come) home in, each with its
  ``mission_end`` (landing instant).  Only ``mode=detailed`` carries them
  (``detailed=True``); a crew member inside a launch is never detailed.
* :class:`LL2Launch`: one launch; ``spacecraft_flights`` (with crews) only when detailed.
* :class:`LL2SpacecraftFlight`: one vehicle's flight inside a detailed launch, with its
  launch, onboard and landing crews.
* :class:`LL2Landing`: one entry of an astronaut's ``landings``: the vehicle, its
  ``mission_end``, the landing outcome and the launch that carried that vehicle up.
* :func:`pair_rides` pairs a person's launches and landings IN TIME ORDER (never by id:
  people go up in one vehicle and come down in another).

Instants are aware UTC datetimes; durations whole seconds.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.sources.ll2.errors import LL2Error

# LaunchStatus ids (config/launch_statuses): 1 Go, 2 TBD, 3 Success, 4 Failure, 5 Hold,
# 6 In Flight, 7 Partial Failure, 8 TBC, 9 Payload Deployed.  These mean "it lifted off".
LIFTED_OFF_STATUS_IDS = frozenset({3, 4, 6, 7, 9})
NON_HUMAN_TYPE = "non-human"  # AstronautType.name of Starman and other passengers


# -- the types -----------------------------------------------------------------------


@dataclass(frozen=True)
class LL2Page:
    """One page of a list endpoint: ``{count, next, previous, results}``."""

    endpoint: str
    count: int
    next: str | None
    previous: str | None
    results: tuple[object, ...]  # raw JSON items; parse each with path ``$.results[i]``


@dataclass(frozen=True)
class LL2Budget:
    """``/api-throttle/``: the caller's rate-limit budget (asking it costs nothing)."""

    limit: int  # your_request_limit: requests allowed per period
    period_seconds: int  # limit_frequency_secs
    used: int  # current_use: requests counted in the current period
    next_use_seconds: int  # next_use_secs: seconds until the next request is allowed

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class LL2Docking:
    id: int
    docking: datetime
    departure: datetime | None
    target: str | None  # the station or vehicle docked to


@dataclass(frozen=True)
class LL2Launch:
    """One launch.  ``net`` is the (planned or actual) launch instant."""

    id: str  # UUID
    name: str  # "Falcon 9 Block 5 | Crew-13"
    net: datetime
    status: str  # LaunchStatus.name: "Launch Successful", "Go for Launch", ...
    status_id: int
    status_abbrev: str | None  # "Success", "Go", "TBD", ...
    net_precision: str | None  # "Second", "Minute", "Hour", "Day", "Month"... (None: unknown)
    mission: str | None  # mission name: "Crew-13"
    mission_type: str | None  # "Human Exploration", "Tourism", ...
    orbit: str | None  # mission orbit name: "Low Earth Orbit", "Suborbital", ...
    rocket: str | None  # launcher configuration full name: "Falcon 9 Block 5"
    provider: str | None  # launch service provider name
    location: str | None  # pad location name: "Kennedy Space Center, FL, USA"
    last_updated: datetime | None
    spacecraft_flights: tuple[LL2SpacecraftFlight, ...] = ()
    detailed: bool = False  # True: spacecraft_flights (and their crews) are complete

    @property
    def lifted_off(self) -> bool:
        """The status says it left the pad (success, failure, in flight...)."""
        return self.status_id in LIFTED_OFF_STATUS_IDS

    @property
    def suborbital(self) -> bool:
        return self.orbit is not None and "suborbital" in self.orbit.casefold()


@dataclass(frozen=True)
class LL2CrewMember:
    """One seat in a spacecraft flight's launch, onboard or landing crew."""

    id: int  # the AstronautFlight id (a different one in each crew list)
    role: str  # "Commander", "Pilot", "Mission Specialist", "Spaceflight Participant"...
    astronaut: LL2Astronaut  # never detailed (no flights or landings)


@dataclass(frozen=True)
class LL2SpacecraftFlight:
    """One vehicle's flight, inside a detailed launch (``rocket.spacecraft_stage[]``)."""

    id: int
    spacecraft: str  # "Crew Dragon Endeavour", "Soyuz MS-29"
    serial_number: str | None  # "C206"
    config: str  # spacecraft configuration: "Dragon 2", "Soyuz MS"
    destination: str | None  # "International Space Station"
    mission_end: datetime | None  # landing instant; None while unknown (or not yet)
    landing_success: bool | None  # None: not known (yet)
    landing_attempted: bool | None
    landing_location: str | None
    launch_crew: tuple[LL2CrewMember, ...] = ()
    onboard_crew: tuple[LL2CrewMember, ...] = ()
    landing_crew: tuple[LL2CrewMember, ...] = ()
    dockings: tuple[LL2Docking, ...] = ()


@dataclass(frozen=True)
class LL2Landing:
    """One entry of an astronaut's ``landings``: the spacecraft flight they came home in.

    ``mission_end`` None means LL2 has no landing instant: the flight is ongoing or
    planned.  A ``mission_end`` after the time of the fetch is a plan, not a fact.
    ``success`` False marks a crew lost (LL2 lists lost crews as "landings").
    """

    spacecraft_flight_id: int
    spacecraft: str  # "Crew Dragon Endeavour"
    serial_number: str | None
    config: str  # "Dragon 2"
    destination: str | None
    mission_end: datetime | None
    success: bool | None
    attempted: bool | None
    location: str | None  # landing location name
    launch: LL2Launch  # the launch that carried this vehicle up (maybe not the person's)


@dataclass(frozen=True)
class LL2Astronaut:
    """One person (or Starman: check :attr:`is_human`)."""

    id: int
    name: str  # as LL2 spells it, often with middle initials: "Robert L. Behnken"
    aliases: tuple[str, ...]  # other spellings LL2 gives (its Wikipedia title), if different
    nationality: tuple[str, ...]  # ISO 3166-1 alpha-2 codes, upper case, in LL2's order
    in_space: bool
    time_in_space_seconds: int | None  # LL2's total, ongoing flight included: a cross-check
    status: str  # "Active", "Retired", "Deceased", "Lost In Training"...
    type: str  # "Government", "Private", "Non-Human"...
    agency: str | None  # abbreviation (or name): "NASA", "RFSA"
    date_of_birth: date | None
    date_of_death: date | None
    wiki: str | None
    first_flight: datetime | None  # LL2's first and last LAUNCH instants
    last_flight: datetime | None
    flights_count: int | None
    landings_count: int | None
    flights: tuple[LL2Launch, ...] = ()  # launches, as LL2 orders them
    landings: tuple[LL2Landing, ...] = ()
    detailed: bool = False  # True: flights and landings are complete

    @property
    def is_human(self) -> bool:
        return self.type.casefold() != NON_HUMAN_TYPE


@dataclass(frozen=True)
class LL2Ride:
    """A launch paired with the landing that ended it (None: not landed, or unknown)."""

    launch: LL2Launch
    landing: LL2Landing | None

    @property
    def vehicle_changed(self) -> bool:
        """Came home in a vehicle launched by another launch (e.g. Soyuz MS-22/MS-23)."""
        return self.landing is not None and self.landing.launch.id != self.launch.id


@dataclass(frozen=True)
class LL2Rides:
    rides: tuple[LL2Ride, ...]  # lifted-off launches in time order
    unplaced: tuple[LL2Landing, ...]  # landings that fit no launch (a data error to report)
    not_launched: tuple[LL2Launch, ...]  # flights that have not lifted off (plans)
    planned_landings: tuple[LL2Landing, ...]  # landings in vehicles not lifted off (plans)


@dataclass(frozen=True)
class LL2Snapshot:
    """Everything one sync learnt, for the merge."""

    fetched_at: datetime  # when the sync started (the injected clock)
    since: datetime  # the previous sync, as the caller gave it
    source: str  # base URL asked
    astronauts: tuple[LL2Astronaut, ...]  # detailed humans, one per id, sorted by id
    in_space_ids: frozenset[int]  # who LL2 answered as in space now
    launches: tuple[LL2Launch, ...]  # detailed crewed launches of the window, by net
    skipped: tuple[str, ...] = ()  # what was left out, and why (e.g. Starman)
    requests: int = 0  # rate-limited requests this sync made
    endpoints: tuple[str, ...] = ()  # every request made, in order

    def astronaut(self, ll2_id: int) -> LL2Astronaut | None:
        for a in self.astronauts:
            if a.id == ll2_id:
                return a
        return None


# -- reading JSON with its path ---------------------------------------------------------


def _show(value: object) -> str:
    kind = "null" if value is None else type(value).__name__
    text = repr(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return f"{text} ({kind})"


@dataclass(frozen=True)
class _At:
    """A JSON value and where it is, so that every error can name the field."""

    endpoint: str
    path: str
    value: object

    def fail(self, what: str) -> LL2Error:
        return LL2Error(self.endpoint, f"{self.path}: {what}")

    def expected(self, what: str) -> LL2Error:
        return self.fail(f"expected {what}, got {_show(self.value)}")

    def obj(self) -> dict[str, object]:
        if not isinstance(self.value, dict):
            raise self.expected("an object")
        return self.value

    def field(self, name: str) -> _At:
        data = self.obj()
        if name not in data:
            raise self.fail(f"missing field {name!r}")
        return _At(self.endpoint, f"{self.path}.{name}", data[name])

    def opt(self, name: str) -> _At | None:
        """The field, or None when it is absent or null."""
        data = self.obj()
        if data.get(name) is None:
            return None
        return _At(self.endpoint, f"{self.path}.{name}", data[name])

    def items(self) -> Iterator[_At]:
        if not isinstance(self.value, list):
            raise self.expected("a list")
        for i, item in enumerate(self.value):
            yield _At(self.endpoint, f"{self.path}[{i}]", item)

    def str_(self) -> str:
        if not isinstance(self.value, str):
            raise self.expected("a string")
        return self.value

    def int_(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.expected("an integer")
        return self.value

    def bool_(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.expected("true or false")
        return self.value

    def datetime_(self) -> datetime:
        text = self.value
        if not isinstance(text, str):
            raise self.expected("a date-time string")
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise self.expected("an ISO 8601 date-time") from None
        if instant.tzinfo is None:
            raise self.fail(f"date-time {text!r} has no UTC offset")
        return instant.astimezone(UTC)

    def date_(self) -> date:
        text = self.value
        if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise self.expected("a date YYYY-MM-DD")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.expected("a valid date") from None

    # optional variants: absent or null -> None
    def opt_str(self, name: str) -> str | None:
        at = self.opt(name)
        return None if at is None else at.str_()

    def opt_int(self, name: str) -> int | None:
        at = self.opt(name)
        return None if at is None else at.int_()

    def opt_bool(self, name: str) -> bool | None:
        at = self.opt(name)
        return None if at is None else at.bool_()

    def opt_datetime(self, name: str) -> datetime | None:
        at = self.opt(name)
        return None if at is None else at.datetime_()

    def opt_date(self, name: str) -> date | None:
        at = self.opt(name)
        return None if at is None else at.date_()

    def opt_name(self, name: str, key: str = "name") -> str | None:
        """``value[name][key]`` when the object ``value[name]`` is there, else None."""
        at = self.opt(name)
        return None if at is None else at.field(key).str_()


# -- ISO 8601 durations -------------------------------------------------------------

_DURATION = re.compile(
    r"(?P<sign>-)?P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def iso_duration_seconds(text: str) -> int:
    """Whole seconds (rounded down) of an ISO 8601 duration as LL2 (Django) writes them.

    ``P438DT5H49M19S``, ``P438DT05H49M19.5S``, ``PT0S``, ``-P1DT00H00M00S``.  Years and
    months are refused: their length is ambiguous and Django never writes them.
    """
    match = _DURATION.fullmatch(text)
    if match is None or text.rstrip("-").endswith(("P", "T")):
        raise ValueError(f"not an ISO 8601 duration of days, hours, minutes, seconds: {text!r}")
    parts = match.groupdict()
    seconds = (
        int(parts["w"] or 0) * 7 * 86400
        + int(parts["d"] or 0) * 86400
        + int(parts["h"] or 0) * 3600
        + int(parts["m"] or 0) * 60
    )
    if parts["s"]:
        whole, _, _fraction = parts["s"].partition(".")
        seconds += int(whole)
    return -seconds if parts["sign"] else seconds


# -- parsers ------------------------------------------------------------------------


def parse_page(data: object, endpoint: str) -> LL2Page:
    """The envelope of a list endpoint; the results stay raw JSON."""
    at = _At(endpoint, "$", data)
    count = at.field("count").int_()
    if count < 0:
        raise at.field("count").expected("a count of 0 or more")
    nxt = at.opt_str("next")
    prev = at.opt_str("previous")
    results = tuple(item.value for item in at.field("results").items())
    return LL2Page(endpoint, count, nxt, prev, results)


def parse_budget(data: object, endpoint: str) -> LL2Budget:
    """``/api-throttle/`` answers a list holding one object."""
    at = _At(endpoint, "$", data)
    entries = list(at.items())
    if not entries:
        raise at.fail("empty list: no throttle information")
    first = entries[0]
    # ``ident`` (the caller's IP or key) is deliberately not kept: it may be the token.
    return LL2Budget(
        limit=first.field("your_request_limit").int_(),
        period_seconds=first.field("limit_frequency_secs").int_(),
        used=first.field("current_use").int_(),
        next_use_seconds=first.field("next_use_secs").int_(),
    )


def parse_astronauts(page: LL2Page) -> tuple[LL2Astronaut, ...]:
    return tuple(
        _astronaut(_At(page.endpoint, f"$.results[{i}]", item))
        for i, item in enumerate(page.results)
    )


def parse_launches(page: LL2Page) -> tuple[LL2Launch, ...]:
    return tuple(
        _launch(_At(page.endpoint, f"$.results[{i}]", item)) for i, item in enumerate(page.results)
    )


def parse_astronaut(data: object, endpoint: str, path: str = "$") -> LL2Astronaut:
    """One astronaut (``/astronauts/{id}/`` or an item of ``/astronauts/``)."""
    return _astronaut(_At(endpoint, path, data))


def parse_launch(data: object, endpoint: str, path: str = "$") -> LL2Launch:
    """One launch (``/launches/{id}/`` or an item of ``/launches/``)."""
    return _launch(_At(endpoint, path, data))


def _aliases(name: str, wiki: str | None) -> tuple[str, ...]:
    """The person's Wikipedia title from LL2's ``wiki`` link, when it differs from ``name``.

    ``https://en.wikipedia.org/wiki/Michael_S._Hopkins`` gives "Michael S. Hopkins";
    a disambiguation in brackets ("Andreas_Mogensen_(astronaut)") is dropped.  A link
    that is not a URL ("https://[en.wikipedia...", a volunteer's typo) gives no alias: the
    field is only a matching aid, not worth failing the whole sync for.
    """
    if not wiki:
        return ()
    try:
        parts = urllib.parse.urlsplit(wiki)
    except ValueError:
        return ()
    if "wikipedia.org" not in parts.netloc or "/wiki/" not in parts.path:
        return ()
    title = urllib.parse.unquote(parts.path.rsplit("/wiki/", 1)[1]).replace("_", " ")
    title = re.sub(r"\s*\([^)]*\)\s*$", "", title).strip()
    if not title or title.casefold() == name.casefold():
        return ()
    return (title,)


def _astronaut(at: _At) -> LL2Astronaut:
    name = at.field("name").str_()
    wiki = at.opt_str("wiki")
    codes: list[str] = []
    for country in at.field("nationality").items():
        code = country.opt_str("alpha_2_code")
        if code:  # Country only requires "id": a country without a code is left out
            codes.append(code.upper())
    tis = at.field("time_in_space")
    seconds: int | None = None
    if tis.value is not None:
        try:
            seconds = iso_duration_seconds(tis.str_())
        except ValueError:
            raise tis.expected("an ISO 8601 duration") from None
    agency = at.opt("agency")
    agency_name = None
    if agency is not None:
        agency_name = agency.opt_str("abbrev") or agency.field("name").str_()
    mode = at.opt_str("response_mode")
    detailed = mode == "detailed"
    flights: tuple[LL2Launch, ...] = ()
    landings: tuple[LL2Landing, ...] = ()
    if detailed:
        flights = tuple(_launch(item) for item in at.field("flights").items())
        landings = tuple(_landing(item) for item in at.field("landings").items())
    return LL2Astronaut(
        id=at.field("id").int_(),
        name=name,
        aliases=_aliases(name, wiki),
        nationality=tuple(codes),
        in_space=at.field("in_space").bool_(),
        time_in_space_seconds=seconds,
        status=at.field("status").field("name").str_(),
        type=at.field("type").field("name").str_(),
        agency=agency_name,
        date_of_birth=at.opt_date("date_of_birth"),
        date_of_death=at.opt_date("date_of_death"),
        wiki=wiki,
        first_flight=at.opt_datetime("first_flight"),
        last_flight=at.opt_datetime("last_flight"),
        flights_count=at.opt_int("flights_count"),
        landings_count=at.opt_int("landings_count"),
        flights=flights,
        landings=landings,
        detailed=detailed,
    )


def _launch(at: _At) -> LL2Launch:
    status = at.field("status")
    mission = at.opt("mission")
    rocket = at.opt("rocket")
    rocket_name = None
    spacecraft: tuple[LL2SpacecraftFlight, ...] = ()
    detailed = at.opt_str("response_mode") == "detailed"
    if rocket is not None:
        config = rocket.field("configuration")
        rocket_name = config.opt_str("full_name") or config.field("name").str_()
        if detailed:
            spacecraft = tuple(
                _spacecraft_flight(item) for item in rocket.field("spacecraft_stage").items()
            )
    pad = at.opt("pad")
    location = None
    if pad is not None:
        location = pad.opt_name("location")
    return LL2Launch(
        id=at.field("id").str_(),
        name=at.field("name").str_(),
        net=at.field("net").datetime_(),
        status=status.field("name").str_(),
        status_id=status.field("id").int_(),
        status_abbrev=status.opt_str("abbrev"),
        net_precision=at.opt_name("net_precision"),
        mission=None if mission is None else mission.field("name").str_(),
        mission_type=None if mission is None else mission.opt_str("type"),
        orbit=None if mission is None else mission.opt_name("orbit"),
        rocket=rocket_name,
        provider=at.opt_name("launch_service_provider"),
        location=location,
        last_updated=at.opt_datetime("last_updated"),
        spacecraft_flights=spacecraft,
        detailed=detailed and rocket is not None,
    )


def _vehicle(at: _At) -> tuple[str, str | None, str]:
    craft = at.field("spacecraft")
    return (
        craft.field("name").str_(),
        craft.opt_str("serial_number"),
        craft.field("spacecraft_config").field("name").str_(),
    )


def _landing_outcome(at: _At) -> tuple[bool | None, bool | None, str | None]:
    landing = at.opt("landing")
    if landing is None:
        return None, None, None
    return (
        landing.opt_bool("success"),
        landing.opt_bool("attempt"),
        landing.opt_name("landing_location"),
    )


def _landing(at: _At) -> LL2Landing:
    spacecraft, serial, config = _vehicle(at)
    success, attempted, location = _landing_outcome(at)
    return LL2Landing(
        spacecraft_flight_id=at.field("id").int_(),
        spacecraft=spacecraft,
        serial_number=serial,
        config=config,
        destination=at.opt_str("destination"),
        mission_end=at.opt_datetime("mission_end"),
        success=success,
        attempted=attempted,
        location=location,
        launch=_launch(at.field("launch")),
    )


def _crew(at: _At) -> tuple[LL2CrewMember, ...]:
    return tuple(
        LL2CrewMember(
            id=seat.field("id").int_(),
            role=seat.field("role").field("role").str_(),
            astronaut=_astronaut(seat.field("astronaut")),
        )
        for seat in at.items()
    )


def _docking(at: _At) -> LL2Docking:
    target = at.opt_name("space_station_target")
    if target is None:
        vehicle = at.opt("flight_vehicle_target")
        if vehicle is not None:
            target = vehicle.field("spacecraft").field("name").str_()
    return LL2Docking(
        id=at.field("id").int_(),
        docking=at.field("docking").datetime_(),
        departure=at.opt_datetime("departure"),
        target=target,
    )


def _spacecraft_flight(at: _At) -> LL2SpacecraftFlight:
    spacecraft, serial, config = _vehicle(at)
    success, attempted, location = _landing_outcome(at)
    return LL2SpacecraftFlight(
        id=at.field("id").int_(),
        spacecraft=spacecraft,
        serial_number=serial,
        config=config,
        destination=at.opt_str("destination"),
        mission_end=at.opt_datetime("mission_end"),
        landing_success=success,
        landing_attempted=attempted,
        landing_location=location,
        launch_crew=_crew(at.field("launch_crew")),
        onboard_crew=_crew(at.field("onboard_crew")),
        landing_crew=_crew(at.field("landing_crew")),
        dockings=tuple(_docking(item) for item in at.field("docking_events").items()),
    )


# -- rides --------------------------------------------------------------------------


def pair_rides(astronaut: LL2Astronaut) -> LL2Rides:
    """The person's launches paired with their landings in time order.

    Each landing with a ``mission_end`` goes to the latest lifted-off launch before it;
    a landing without one (ongoing or planned) goes to the last launch when that has
    none.  A second landing for one launch, or one before every launch, is
    ``unplaced``; launches that have not lifted off are ``not_launched``, landings in a
    vehicle that has not lifted off ``planned_landings``.  A ``mission_end`` later than
    the fetch is LL2's plan: the caller compares it with the time of the fetch.
    """
    launched = sorted((f for f in astronaut.flights if f.lifted_off), key=lambda f: f.net)
    planned = tuple(f for f in astronaut.flights if not f.lifted_off)
    landed: list[LL2Landing | None] = [None] * len(launched)
    unplaced: list[LL2Landing] = []
    open_ended: list[LL2Landing] = []
    planned_landings: list[LL2Landing] = []
    for landing in sorted(
        astronaut.landings, key=lambda x: (x.mission_end is None, x.mission_end or x.launch.net)
    ):
        if not landing.launch.lifted_off:
            planned_landings.append(landing)
            continue
        if landing.mission_end is None:
            open_ended.append(landing)
            continue
        index = _latest_before(launched, landing.mission_end)
        if index is None or landed[index] is not None:
            unplaced.append(landing)
        else:
            landed[index] = landing
    for landing in open_ended:
        if launched and landed[-1] is None:
            landed[-1] = landing
        else:
            unplaced.append(landing)
    rides = tuple(LL2Ride(f, landing) for f, landing in zip(launched, landed, strict=True))
    return LL2Rides(rides, tuple(unplaced), planned, tuple(planned_landings))


def _latest_before(launches: Sequence[LL2Launch], instant: datetime) -> int | None:
    found = None
    for i, launch in enumerate(launches):
        if launch.net < instant:
            found = i
    return found
