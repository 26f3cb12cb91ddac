"""Fuzzy matching of Indonesian place names as dispatchers type them.

Normalisation (applied to names and queries alike): Unicode accents dropped, lower case, punctuation
and repeated spaces collapsed, and the usual abbreviations expanded — "Kp"/"Kpg" → kampung, "Ds" → desa,
"Kel" → kelurahan, "Kec" → kecamatan, "Sei"/"Sg" → sungai, "Sp"/"Spg" → simpang, "Tlk" → teluk,
"Tj"/"Tg" → tanjung, "Bkt" → bukit, "Brt" → barat, "Tmr" → timur, digits 1–4 → roman numerals.

A leading administrative word (desa, kelurahan, kecamatan, kabupaten, and "kampung", which is what Siak
calls its villages) is also tried stripped: "kec minas" finds the kecamatan Minas and hints that level,
"kampung tumang" finds the desa Tumang. "Kampung" is also part of real names (Kampung Dalam), so a match
found only after stripping it scores slightly lower.

Each candidate's score (0–100) is the best of rapidfuzz ``ratio`` (typos: "Minass" → Minas), the same
with spaces removed ("sungai mempura" → Sungaimempura), ``token_sort_ratio`` (word order) and 0.9 ×
``token_set_ratio`` (a query that is part of a name: "perawang" → Perawang Barat). Candidates under
:data:`DEFAULT_SCORE_CUTOFF` are dropped, so gibberish returns nothing rather than a random village.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from dispatch_geo.domain.values import LonLat
from dispatch_geo.errors import InputError

DEFAULT_SCORE_CUTOFF = 75.0
"""Lowest score returned. A one- or two-letter typo in a real name stays well above it ("Minass" 91,
"kampung dlam" 96); unrelated words mostly fall below ("pekanbaru" vs Empang Baru 74, "xqzvw" 0–40)."""

SEARCH_LEVELS = ("desa", "kecamatan")

ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(("kp", "kpg", "kpng", "kamp", "kg"), "kampung"),
    **dict.fromkeys(("ds", "des"), "desa"),
    **dict.fromkeys(("kel", "kelu", "lurah"), "kelurahan"),
    **dict.fromkeys(("kec", "kc", "kecam", "camat"), "kecamatan"),
    **dict.fromkeys(("kab", "kabu"), "kabupaten"),
    **dict.fromkeys(("sei", "sg", "sgi", "sng", "sngi"), "sungai"),
    **dict.fromkeys(("sp", "spg", "smp", "simp"), "simpang"),
    **dict.fromkeys(("tlk", "tl"), "teluk"),
    **dict.fromkeys(("tj", "tg", "tjg", "tnj"), "tanjung"),
    "bkt": "bukit",
    "psr": "pasar",
    **dict.fromkeys(("pkl", "pkln"), "pangkalan"),
    "brt": "barat",
    **dict.fromkeys(("tmr", "tim"), "timur"),
    "utr": "utara",
    "kt": "kota",
    "1": "i",
    "2": "ii",
    "3": "iii",
    "4": "iv",
}
"""Token → expansion, applied after lower-casing and removing punctuation ("Kp." → "kp" → "kampung")."""

_LEVEL_WORDS = {
    "desa": "desa",
    "kelurahan": "desa",
    "kampung": "desa",
    "kecamatan": "kecamatan",
    "kabupaten": "",
}
_STRIPPED_KAMPUNG_FACTOR = 0.98
_SUBSET_FACTOR = 0.9
_LEVEL_MISMATCH_PENALTY = 10.0


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces and expand abbreviations."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    tokens = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    return " ".join(ABBREVIATIONS.get(t, t) for t in tokens)


@dataclass(frozen=True, slots=True)
class PlaceName:
    """A searchable place: a desa or kecamatan with a point inside it."""

    kode: str
    nama: str
    level: str
    kecamatan_nama: str
    centroid: LonLat


@dataclass(frozen=True, slots=True)
class _Variant:
    text: str
    weight: float
    level_hint: str | None


def _query_variants(normalised: str) -> list[_Variant]:
    """The query itself, then with each leading administrative word stripped in turn."""
    tokens = normalised.split()
    variants = [_Variant(normalised, 1.0, None)]
    weight, hint = 1.0, None
    while len(tokens) > 1 and tokens[0] in _LEVEL_WORDS:
        word = tokens.pop(0)
        hint = hint or _LEVEL_WORDS[word] or None
        if word == "kampung":
            weight *= _STRIPPED_KAMPUNG_FACTOR
        variants.append(_Variant(" ".join(tokens), weight, hint))
    return variants


def _score(query: str, name: str) -> float:
    return max(
        fuzz.ratio(query, name),
        fuzz.ratio(query.replace(" ", ""), name.replace(" ", "")),
        fuzz.token_sort_ratio(query, name),
        _SUBSET_FACTOR * fuzz.token_set_ratio(query, name),
    )


class NameIndex:
    """Scores a fixed list of places against free-text queries."""

    def __init__(self, places: Sequence[PlaceName], *, score_cutoff: float = DEFAULT_SCORE_CUTOFF) -> None:
        self._places = list(places)
        self._names = [normalise(p.nama) for p in self._places]
        self.score_cutoff = score_cutoff

    def search(
        self, query: str, *, limit: int = 10, level: str | None = None
    ) -> list[tuple[PlaceName, float]]:
        """Places scoring at least the cutoff, best first, as ``(place, score)`` pairs.

        Ties are broken by the score of the unstripped query (so "kampung rempak" puts Kampung Rempak
        before Rempak), then kecamatan before desa, then code.

        Raises
        ------
        InputError
            On an empty query, a non-positive limit or an unknown level.
        """
        problems: list[str] = []
        if not isinstance(query, str) or not normalise(query):
            problems.append(f"query {query!r} is empty; type part of a desa or kecamatan name")
        if not isinstance(limit, int) or limit < 1:
            problems.append(f"limit {limit!r} must be a positive integer")
        if level is not None and level not in SEARCH_LEVELS:
            problems.append(f"level {level!r} must be one of {', '.join(SEARCH_LEVELS)} or None")
        if problems:
            raise InputError("; ".join(problems))

        variants = _query_variants(normalise(query))
        scored: list[tuple[float, float, int, str, PlaceName]] = []
        for place, name in zip(self._places, self._names, strict=True):
            if level is not None and place.level != level:
                continue
            best = 0.0
            for v in variants:
                s = v.weight * _score(v.text, name)
                if v.level_hint and v.level_hint != place.level:
                    s -= _LEVEL_MISMATCH_PENALTY
                best = max(best, s)
            if best >= self.score_cutoff:
                literal = _score(variants[0].text, name)
                scored.append(
                    (round(best, 1), literal, 0 if place.level == "kecamatan" else 1, place.kode, place)
                )
        scored.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
        return [(place, score) for score, _, _, _, place in scored[:limit]]
