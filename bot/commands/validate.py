"""``spacebot validate``: check data, config, templates and targets; report every problem."""

from __future__ import annotations

import argparse

from bot.commands.common import Context, Subparsers, add_config_args, add_parser, config_of
from bot.core.model import Dataset, iso
from bot.errors import Problem, UserError
from bot.files.config import Config


def register(sub: Subparsers) -> None:
    p = add_parser(
        sub,
        "validate",
        "Check the mission data, the configuration, the templates and the targets' settings "
        "and credentials; report every problem at once (exit 0 only when all is well).",
        "  spacebot validate\n"
        "  spacebot validate --data schedules/\n"
        "  spacebot validate --config /etc/spacebot/config.yaml --data my-flights.yaml\n"
        "  spacebot validate --online      # also log in to each target (read-only)\n",
    )
    add_config_args(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--no-credentials",
        action="store_true",
        help="do not check that every target's credentials are set",
    )
    which.add_argument(
        "--online",
        action="store_true",
        help="also prove each target's credentials with one read-only call to its platform "
        "(X: the account, Mastodon: verify_credentials, Bluesky: the session); "
        "without it, validate uses no network",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from bot.files.live import load_mission_data_with_notes
    from bot.files.lock import state_dir_problem
    from bot.preflight import setup_problems

    problems: list[Problem] = []
    config: Config | None = None
    try:
        config = config_of(args, ctx)
    except UserError as exc:
        problems.extend(exc.problems)
    dataset: Dataset | None = None
    notes: list[str] = []
    if config is not None:
        try:
            dataset, ignored = load_mission_data_with_notes(config)
            notes = [f"live overlay entry left out: {item}" for item in ignored]
        except UserError as exc:
            problems.extend(exc.problems)
    if config is not None:
        problems.extend(setup_problems(config, ctx.env, credentials=not args.no_credentials)[1])
        state_problem = state_dir_problem(config.state_dir)
        if state_problem is not None:
            problems.append(state_problem)
    if problems:
        raise UserError(problems)
    assert config is not None
    assert dataset is not None
    try:
        accounts = _check_online(config, ctx) if args.online else {}
    except Unreachable as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=ctx.stderr)
        print("The credentials could not be checked; try again later.", file=ctx.stderr)
        return 1
    flights = sum(len(p.flights) for p in dataset.people)
    ongoing = sum(1 for p in dataset.people for f in p.flights if f.landing is None)
    live = f", live data as of {iso(dataset.live_as_of)}" if dataset.live_as_of else ""
    print(
        f"ok: {len(dataset.people)} people, {flights} flights ({ongoing} in space), "
        f"history as of {iso(dataset.as_of)}{live}, from {', '.join(dataset.sources)}",
        file=ctx.stdout,
    )
    for note in notes:
        print(f"warning: {note}", file=ctx.stdout)
    targets = ", ".join(f"{t.name} ({t.platform})" for t in config.targets)
    print(f"ok: configuration {config.source}; targets: {targets}", file=ctx.stdout)
    for name, account in accounts.items():
        print(f"ok: target {name}: credentials accepted {account}".rstrip(), file=ctx.stdout)
    return 0


def _check_online(config: Config, ctx: Context) -> dict[str, str]:
    """Each target's account, proved by one read-only call; :class:`UserError` naming every
    target whose credentials were refused (exit 2) or whose platform could not tell."""
    from bot.posting.clients import AuthFailed, ClientError, open_clients

    clients = open_clients(
        config.targets, ctx.env, state_dir=config.state_dir, stdout=ctx.stdout, source=config.source
    )
    accounts: dict[str, str] = {}
    problems: list[Problem] = []
    unreachable: list[Problem] = []  # not bad input: exit 1, as for any other failure
    try:
        for target in config.targets:
            where = f"target '{target.name}' ({target.platform})"
            try:
                accounts[target.name] = clients[target.name].check_credentials()
            except AuthFailed as exc:
                problems.append(
                    Problem(
                        config.source,
                        where,
                        f"credentials refused: {exc.message}",
                        f"check {', '.join(target.credential_vars.values())} (see "
                        "deploy/README.md, 'Credentials, per platform')",
                    )
                )
            except ClientError as exc:
                unreachable.append(
                    Problem(
                        config.source,
                        where,
                        f"could not check the credentials: {exc.message}",
                        "check the network and the target's options (base URL), then retry",
                    )
                )
    finally:
        for client in clients.values():
            client.close()
    if problems:
        raise UserError(problems + unreachable)
    if unreachable:
        raise Unreachable(unreachable)
    return accounts


class Unreachable(Exception):
    """A platform could not say whether the credentials are good (network, server)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
