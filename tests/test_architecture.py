"""The layers of docs/architecture.md hold: each imports only those below it, the core is
pure, and no two sibling packages or modules import each other (directly or around a
cycle).  The contracts are in pyproject.toml ([tool.importlinter]); a change that breaks
one fails here, naming the import."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")  # import-linter, from the test extra
    # no config argument: it finds ROOT/pyproject.toml (a positional one is 2.17's, and
    # 2.6, the lowest version allowed, refuses it)
    done = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


# What imports cannot show: the core reads no clock and opens no file.
_IMPURE = re.compile(r"\b(datetime\.now|date\.today|time\.time|open)\(|\bos\.environ\b")


@pytest.mark.parametrize("path", sorted((ROOT / "bot" / "core").glob("*.py")), ids=lambda p: p.name)
def test_the_core_reads_no_clock_and_no_file(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0]
        assert not _IMPURE.search(code), f"{path.name}:{number}: {line.strip()}"
