"""Errors that reach the operator: each says where the problem is and what to do next."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one input file, precise enough to fix without a debugger."""

    source: str  # file path (or "<config>", "<environment>")
    where: str  # the entry: "person 'scott-kelly', flight 2 (STS-103)", "line 12", ...
    message: str  # what is wrong
    fix: str = ""  # what to do about it

    def __str__(self) -> str:
        text = f"{self.source}: {self.where}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class UserError(Exception):
    """Bad input from the operator (data, config, templates, credentials): exit code 2.

    Carries every problem found, so that one run reports them all.
    """

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("spacebot", "input", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = "1 problem found" if count == 1 else f"{count} problems found"
        body = "\n".join(f"error: {p}" for p in self.problems)
        return f"{body}\n{head}."


class DataError(UserError):
    """Mission data that cannot be trusted."""


class ConfigError(UserError):
    """A configuration, template or credential problem."""


def did_you_mean(got: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``got`` ("did you mean 'gender'?"), or ``None``."""
    close = difflib.get_close_matches(got, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None
