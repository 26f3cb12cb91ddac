"""The shared reading of the CSV files an administrator hands in (the fleet, the facilities).

Each file is checked whole: every problem is collected with its line number and reported at once, so
an administrator fixes the file in one go and nothing is stored from a file with any problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from dispatch_geo.errors import InputError

TRUE_WORDS = frozenset({"true", "yes", "1", "y"})
"""How a CSV says yes (case-insensitive)."""
FALSE_WORDS = frozenset({"false", "no", "0", "n"})


def read_text(path: str | Path, what: str) -> str:
    """The text of the CSV file at ``path`` (a byte-order mark is dropped); ``what`` names it in errors."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} file {path}: {exc}") from exc


def rows(
    text: str,
    *,
    source: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    problems: list[str],
    code: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {column: stripped value})`` for every non-blank row of CSV ``text``.

    Column names are matched case-insensitively in any order. A row with the wrong number of fields
    is reported in ``problems`` and skipped. A missing header or required column raises
    :class:`InputError` at once (with ``code`` and the problem as its parameters, when given).
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise InputError(f"{source}: empty file; expected a header row with columns {', '.join(required)}")
    header = [name.strip().lower() for name in header]
    missing = [name for name in required if name not in header]
    if missing:
        error = InputError(
            f"{source}: line 1: missing column(s) {', '.join(missing)}; expected {', '.join(required)}"
        )
        raise (
            error.coded(code, problems=[f"line 1: missing column(s) {', '.join(missing)}"]) if code else error
        )
    index = {name: header.index(name) for name in (*required, *optional) if name in header}
    for fields in reader:
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append(f"line {line}: {len(fields)} fields, but the header has {len(header)}")
            continue
        yield line, {name: fields[i].strip() for name, i in index.items()}


def parse_bool(column: str, value: str, problems: list[str], default: bool | None = None) -> bool | None:
    """``value`` as true/false (also yes/no, 1/0, y/n); ``default`` for an empty value when given;
    else a problem is recorded and None returned."""
    lowered = value.lower()
    if lowered == "" and default is not None:
        return default
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    problems.append(f"{column} {value!r} is not a boolean; expected true or false")
    return None
