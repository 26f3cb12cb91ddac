"""Seats of the kecamatan (ibu kota kecamatan): the town a caller means by a kecamatan's name.

A 112 caller who says "Sungai Apit" or "Kandis" means the town, not the middle of a 1,000 km²
kecamatan. The seats ship as data, ``data/siak_kecamatan_seats.csv`` (see ``data/ATTRIBUTION.md``), so an
operator can correct one without touching code. Columns (header row, any order, extra columns ignored):

``kecamatan_kode``, ``kecamatan_nama``
    The kecamatan (Kemendagri code ``14.08.01`` and name).
``seat_desa_kode``, ``seat_desa_nama``
    The desa/kelurahan that is its seat (code ``14.08.01.1001``).
``confirmed``
    ``yes`` when the seat was read from a stored source, ``no`` when it is widely published but was not
    confirmed here (an operator should check it).
``source``, ``note``
    Where the seat comes from; free text.

:func:`load_kecamatan_seats` checks every row and raises one :class:`~dispatch_geo.errors.InputError`
listing every problem with its line number (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dispatch_geo.errors import InputError

DEFAULT_SEATS_PATH = Path(__file__).resolve().parent.parent / "data" / "siak_kecamatan_seats.csv"
"""``data/siak_kecamatan_seats.csv`` of the source checkout."""

REQUIRED_COLUMNS = (
    "kecamatan_kode",
    "kecamatan_nama",
    "seat_desa_kode",
    "seat_desa_nama",
    "confirmed",
    "source",
)
_KECAMATAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_DESA = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_FLAGS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@dataclass(frozen=True, slots=True)
class KecamatanSeat:
    """One kecamatan and the desa that is its seat."""

    kecamatan_kode: str
    kecamatan_nama: str
    seat_desa_kode: str
    seat_desa_nama: str
    confirmed: bool
    source: str
    note: str = ""


def load_kecamatan_seats(path: Path | str = DEFAULT_SEATS_PATH) -> tuple[KecamatanSeat, ...]:
    """Read and check the seats file.

    Raises
    ------
    InputError
        The file is missing or unreadable, a column is missing, or any row is wrong (every problem listed).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"kecamatan seats file {path} is not readable: {exc}") from exc
    return parse_kecamatan_seats(text, source=str(path))


def parse_kecamatan_seats(text: str, *, source: str = "<text>") -> tuple[KecamatanSeat, ...]:
    """:func:`load_kecamatan_seats` on the file's text."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"kecamatan seats file {source} lacks column(s) {', '.join(missing)}")
    problems: list[str] = []
    seats: list[KecamatanSeat] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in (*REQUIRED_COLUMNS, "note")}
        kec, desa, flag = values["kecamatan_kode"], values["seat_desa_kode"], values["confirmed"].lower()
        before = len(problems)
        if not _KECAMATAN.match(kec):
            problems.append(f"line {line}: kecamatan_kode {kec!r} is not like 14.08.01")
        if not _DESA.match(desa):
            problems.append(f"line {line}: seat_desa_kode {desa!r} is not like 14.08.01.1001")
        elif _KECAMATAN.match(kec) and not desa.startswith(kec + "."):
            problems.append(f"line {line}: seat desa {desa} is not in kecamatan {kec}")
        if flag not in _FLAGS:
            problems.append(f"line {line}: confirmed {values['confirmed']!r} is not yes or no")
        if not values["source"]:
            problems.append(f"line {line}: source is empty; say where the seat comes from")
        if kec in seen:
            problems.append(f"line {line}: kecamatan {kec} already has a seat on line {seen[kec]}")
        seen.setdefault(kec, line)
        if len(problems) == before:
            seats.append(
                KecamatanSeat(
                    kecamatan_kode=kec,
                    kecamatan_nama=values["kecamatan_nama"],
                    seat_desa_kode=desa,
                    seat_desa_nama=values["seat_desa_nama"],
                    confirmed=_FLAGS[flag],
                    source=values["source"],
                    note=values["note"],
                )
            )
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InputError(f"kecamatan seats file {source} has {len(problems)} problem(s):\n{listing}")
    return tuple(seats)


def check_seats_cover(
    seats: Iterable[KecamatanSeat], *, kecamatan_kode: Iterable[str], desa_kode: Iterable[str]
) -> None:
    """Every kecamatan has a seat and every seat is a known desa.

    Raises
    ------
    InputError
        Listing every kecamatan without a seat and every seat desa or kecamatan not in the boundaries.
    """
    known_kec, known_desa = set(kecamatan_kode), set(desa_kode)
    seats = list(seats)
    problems = [
        f"seat of kecamatan {s.kecamatan_kode} is desa {s.seat_desa_kode} ({s.seat_desa_nama}), "
        "which is not in the boundaries"
        for s in seats
        if s.seat_desa_kode not in known_desa
    ]
    problems += [
        f"kecamatan {s.kecamatan_kode} is not in the boundaries"
        for s in seats
        if s.kecamatan_kode not in known_kec
    ]
    without = sorted(known_kec - {s.kecamatan_kode for s in seats})
    if without:
        problems.append(f"kecamatan without a seat: {', '.join(without)}")
    if problems:
        raise InputError("kecamatan seats do not match the boundaries: " + "; ".join(problems))
