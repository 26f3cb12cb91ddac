"""The words and number formats of the coverage report, in Bahasa Indonesia (first) and English.

One catalogue per language (same keys; a test checks they match) and the number formats a reader
expects: Indonesian ``10.865`` jiwa, ``28,1 %``, ``8,0 mnt``; English ``10,865``, ``28.1%``, ``8.0 min``.
"""

from __future__ import annotations

import math
from typing import Final

LANGS: Final = ("id", "en")

TEXT: Final[dict[str, dict[str, str]]] = {
    "id": {
        "title": "Laporan cakupan layanan — {service}",
        "service.ambulance": "ambulans",
        "service.fire": "pemadam kebakaran",
        "service.police": "polisi",
        "generated": "Dibuat {date}",
        "source": "Sumber: {source}",
        "graph": "Jaringan jalan: {label}",
        "osm_as_of": "Data OpenStreetMap per {timestamp}",
        "schematic_note": "angka hanya ilustrasi",
        "standard": "Standar",
        "standard_text": "{service}: waktu tempuh ≤ {minutes}{response}; sumber: {source}",
        "standard_response": " (respons {response} − persiapan {preparation})",
        "headline": (
            "<b>Penduduk terjangkau:</b> {covered} dari {population} jiwa ({share}); rata-rata waktu "
            "tempuh {mean}, persentil ke-90 {p90}; {unreachable} jiwa tidak terjangkau lewat jalan. "
            "Pos: {posts}."
        ),
        "demand_model": (
            "Model permintaan: penduduk BPS {year} per kecamatan, dibagi ke desa ({method}) lalu ke "
            "simpul jalan di dalam desa. Semua angka cakupan di laporan ini memakai model yang sama."
        ),
        "per_kecamatan": "Per kecamatan",
        "gaps": "Desa dengan penduduk tidak terjangkau terbanyak",
        "siting": "Usulan lokasi pos (MCLP, dalam {minutes})",
        "siting_models": (
            "Kolom ‘Terjangkau’ memakai model permintaan yang sama dengan angka utama di atas. Model "
            "optimasi menghitung satu desa utuh terjangkau bila pusat desanya terjangkau (lebih sederhana, "
            "agar cepat), sehingga angkanya sendiri (kolom ‘model pusat desa’) berbeda."
        ),
        "scenario.add": "Tambah {k} pos",
        "scenario.relocate": "Pindahkan {k} pos",
        "proposed_sites": "Lokasi usulan",
        "moves": "Pemindahan pos (hanya pos yang pindah)",
        "moves_note": (
            "Tambahan per pemindahan dihitung bila hanya pemindahan itu yang dilakukan; jumlahnya tidak "
            "sama dengan total, karena sebagian pemindahan baru bermanfaat bila dilakukan bersama."
        ),
        "no_moves": "Tidak ada pos yang perlu dipindah.",
        "lscp": (
            "Set covering (LSCP): {n} pos (pos yang ada tetap) agar setiap pusat desa yang dapat "
            "dijangkau berada dalam {minutes}."
        ),
        "lscp_uncoverable": " {n} desa tidak dapat dijangkau tepat waktu dari lokasi mana pun.",
        "col.kecamatan": "Kecamatan",
        "col.desa": "Desa",
        "col.population": "Penduduk",
        "col.covered_share": "Terjangkau",
        "col.mean": "Rata-rata",
        "col.p90": "Persentil 90",
        "col.uncovered": "Tidak terjangkau (jiwa)",
        "col.rank": "No.",
        "col.nearest_post": "Pos terdekat",
        "col.centre_time": "Waktu ke pusat desa",
        "col.scenario": "Skenario",
        "col.posts": "Pos",
        "col.before": "Terjangkau sebelum",
        "col.after": "Terjangkau sesudah",
        "col.gained": "Tambahan",
        "col.gained_centres": "Tambahan (model pusat desa)",
        "col.road_class": "Kelas jalan terdekat",
        "col.coordinates": "Koordinat",
        "col.new_people": "Jiwa baru terjangkau",
        "col.from": "Dari pos",
        "col.to": "Ke",
        "col.move_gain": "Tambahan bila hanya ini",
        "unreachable": "tak terjangkau",
        "minutes": "{value} mnt",
        "people": "{value} jiwa",
        "map.time": "Rata-rata waktu tempuh per desa (mnt)",
        "map.density": "Kepadatan penduduk per desa (jiwa/km²)",
        "map.gaps": "Desa celah ({n} terbesar)",
        "map.iso": "Isokron ≤ {minutes} per pos",
        "map.posts": "Pos saat ini",
        "map.proposed": "Usulan: {name}",
        "map.legend.time": "Waktu tempuh rata-rata",
        "map.legend.iso": "Isokron",
        "map.legend.post": "Pos saat ini",
        "map.legend.site": "Lokasi usulan",
        "map.legend.gap": "Desa celah",
        "map.tip.post": "{name} — {snap} m dari jalan{approx}",
        "map.tip.approx": " (posisi perkiraan)",
        "map.tip.gap": "{desa}: {uncovered} jiwa tak terjangkau; pos terdekat {post}, {time}",
        "map.tip.site": "{scenario}: {desa}, {kecamatan} — {people} jiwa baru terjangkau",
        "map.tip.move": "{post} → {desa}: {gain} jiwa",
        "map.tip.iso": "{post}: ≤ {minutes}",
        "map.tip.iso_outline": " (garis tepi perkiraan, ±{metres} m)",
        "none": "-",
        "expected.title": "Cakupan harapan: unit bisa sedang bertugas (MEXCLP)",
        "expected.text": (
            "Jika setiap unit sedang bertugas {q} dari waktu ({source}), rata-rata {expected} jiwa ({share}) "
            "dapat dilayani tepat waktu, dibanding {covered} jiwa bila unit selalu siap. Orang yang "
            "terjangkau oleh n unit terlayani dengan peluang 1 − qⁿ (Daskin 1983); "
            "{units} unit di {posts} pos."
        ),
        "expected.source.assumed": "DIASUMSIKAN, belum diukur dari riwayat penugasan",
        "expected.source.given": "angka yang diberikan",
        "expected.source.history": "dari riwayat penugasan",
        "expected.add": "Tambah {k} unit (MEXCLP): cakupan harapan {after} jiwa (+{gain}); di {sites}",
        "expected.at_post": "{post} (unit tambahan)",
    },
    "en": {
        "title": "Coverage report — {service}",
        "service.ambulance": "ambulance",
        "service.fire": "fire",
        "service.police": "police",
        "generated": "Generated {date}",
        "source": "Source: {source}",
        "graph": "Road network: {label}",
        "osm_as_of": "OpenStreetMap data as of {timestamp}",
        "schematic_note": "figures are illustrative only",
        "standard": "Standard",
        "standard_text": "{service}: travel ≤ {minutes}{response}; source: {source}",
        "standard_response": " (response {response} − preparation {preparation})",
        "headline": (
            "<b>Population covered:</b> {covered} of {population} people ({share}); mean travel time "
            "{mean}, 90th percentile {p90}; {unreachable} people not reachable by road. Posts: {posts}."
        ),
        "demand_model": (
            "Demand model: BPS {year} kecamatan population spread to desa ({method}) and then to the "
            "road nodes inside each desa. Every coverage figure in this report uses this one model."
        ),
        "per_kecamatan": "Per kecamatan",
        "gaps": "Desa with the most people out of reach",
        "siting": "Proposed post locations (MCLP, within {minutes})",
        "siting_models": (
            "The ‘Covered’ columns use the same demand model as the headline above. The optimiser counts a "
            "whole desa as covered when its centre is (simpler, so it solves fast), so its own figures "
            "(the ‘desa-centre model’ column) differ."
        ),
        "scenario.add": "Add {k} post(s)",
        "scenario.relocate": "Move {k} post(s)",
        "proposed_sites": "Proposed sites",
        "moves": "Post moves (only the posts that move)",
        "moves_note": (
            "The gain of each move is what that move alone would gain; they do not add up to the total, "
            "as some moves only pay off together."
        ),
        "no_moves": "No post needs to move.",
        "lscp": (
            "Set covering (LSCP): {n} posts (existing ones kept) would put every reachable desa centre "
            "within {minutes}."
        ),
        "lscp_uncoverable": " {n} desa cannot be reached in time from any candidate.",
        "col.kecamatan": "Kecamatan",
        "col.desa": "Desa",
        "col.population": "Population",
        "col.covered_share": "Covered",
        "col.mean": "Mean",
        "col.p90": "90th pct",
        "col.uncovered": "Uncovered people",
        "col.rank": "#",
        "col.nearest_post": "Nearest post",
        "col.centre_time": "Time to desa centre",
        "col.scenario": "Scenario",
        "col.posts": "Posts",
        "col.before": "Covered before",
        "col.after": "Covered after",
        "col.gained": "Gained",
        "col.gained_centres": "Gained (desa-centre model)",
        "col.road_class": "Nearest road class",
        "col.coordinates": "Coordinates",
        "col.new_people": "People newly covered",
        "col.from": "From post",
        "col.to": "To",
        "col.move_gain": "Gain of this move alone",
        "unreachable": "unreachable",
        "minutes": "{value} min",
        "people": "{value} people",
        "map.time": "Mean travel time per desa (min)",
        "map.density": "Population density per desa (people/km²)",
        "map.gaps": "Gap desa ({n} largest)",
        "map.iso": "Isochrone ≤ {minutes} per post",
        "map.posts": "Current posts",
        "map.proposed": "Proposed: {name}",
        "map.legend.time": "Mean travel time",
        "map.legend.iso": "Isochrones",
        "map.legend.post": "Current post",
        "map.legend.site": "Proposed site",
        "map.legend.gap": "Gap desa",
        "map.tip.post": "{name} — {snap} m from the road{approx}",
        "map.tip.approx": " (approximate position)",
        "map.tip.gap": "{desa}: {uncovered} people out of reach; nearest post {post}, {time}",
        "map.tip.site": "{scenario}: {desa}, {kecamatan} — {people} people newly covered",
        "map.tip.move": "{post} → {desa}: {gain} people",
        "map.tip.iso": "{post}: ≤ {minutes}",
        "map.tip.iso_outline": " (approximate outline, ±{metres} m)",
        "none": "-",
        "expected.title": "Expected coverage: units may be busy (MEXCLP)",
        "expected.text": (
            "If every unit is busy {q} of the time ({source}), on average {expected} people ({share}) can be "
            "served in time, against {covered} people if units were always free. A person within reach of n "
            "units is served with probability 1 − qⁿ (Daskin 1983); {units} units at {posts} posts."
        ),
        "expected.source.assumed": "ASSUMED, not yet measured from the dispatch record",
        "expected.source.given": "the figure given",
        "expected.source.history": "from the dispatch record",
        "expected.add": "Add {k} unit(s) (MEXCLP): expected coverage {after} people (+{gain}); at {sites}",
        "expected.at_post": "{post} (extra unit)",
    },
}


def check_lang(lang: str) -> str:
    """``lang`` if it is a supported language, else ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def t(lang: str, key: str, **params: object) -> str:
    """The text ``key`` in ``lang`` with ``params`` filled in."""
    return TEXT[lang][key].format(**params)


def fmt_int(value: float, lang: str) -> str:
    """A whole number with thousands separators: ``10.865`` (id), ``10,865`` (en); ``-`` if not finite."""
    if not math.isfinite(value):
        return "-"
    text = f"{round(value):,d}"
    return text.replace(",", ".") if lang == "id" else text


def fmt_dec(value: float, lang: str, digits: int = 1) -> str:
    """A decimal number: ``8,5`` (id), ``8.5`` (en)."""
    if not math.isfinite(value):
        return "-"
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_pct(share: float, lang: str) -> str:
    """A share as a percentage: ``28,1 %`` (id), ``28.1%`` (en)."""
    if not math.isfinite(share):
        return "-"
    return f"{fmt_dec(share * 100, lang)} %" if lang == "id" else f"{share * 100:.1f}%"


def fmt_minutes(time_s: float, lang: str) -> str:
    """Seconds shown as minutes: ``8,0 mnt`` / ``8.0 min``; unreachable when not finite."""
    if not math.isfinite(time_s):
        return t(lang, "unreachable")
    return t(lang, "minutes", value=fmt_dec(time_s / 60.0, lang))


def fmt_threshold(time_s: float, lang: str) -> str:
    """A threshold in whole minutes where it is whole: ``8 mnt``, ``7,5 mnt``."""
    minutes = time_s / 60.0
    value = str(round(minutes)) if abs(minutes - round(minutes)) < 1e-9 else fmt_dec(minutes, lang)
    return t(lang, "minutes", value=value)
