"""The Siak speed profile: maxspeed parsing, class speeds, surface caps, and bad profile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch_geo.errors import InputError
from dispatch_geo.graph.profile import DEFAULT_PROFILE_PATH, load_profile, parse_maxspeed_kph


@pytest.fixture(scope="module")
def profile():
    return load_profile()


@pytest.mark.parametrize(
    ("raw", "kph"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("50km/h", 50.0),
        ("30 mph", 30 * 1.609344),
        ("60;40", 40.0),
        ("ID:urban", 50.0),
        (" 80 ", 80.0),
        (40, 40.0),
    ],
)
def test_maxspeed_forms_found_in_osm_are_understood(raw, kph, profile):
    assert parse_maxspeed_kph(raw, profile.implicit_kph) == pytest.approx(kph)


@pytest.mark.parametrize("raw", ["none", "signals", "walk", "", "0", "-20", "RU:urban", None, True, "fast"])
def test_maxspeed_without_a_usable_number_falls_back(raw, profile):
    assert parse_maxspeed_kph(raw, profile.implicit_kph) is None


def test_class_speeds_follow_the_siak_reference_profile(profile):
    expected = {
        "motorway": 80,
        "trunk": 60,
        "primary": 50,
        "secondary": 40,
        "tertiary": 35,
        "unclassified": 30,
        "residential": 20,
        "service": 15,
        "track": 15,
    }
    for highway, kph in expected.items():
        assert profile.edge_speed_kph(highway) == kph


def test_tagged_maxspeed_wins_over_class_then_surface_caps(profile):
    assert profile.edge_speed_kph("primary", "60") == pytest.approx(60 * profile.maxspeed_factor)
    assert profile.edge_speed_kph("primary", None, "gravel") == 30
    assert profile.edge_speed_kph("primary", "80", "earth") == 20
    assert profile.edge_speed_kph("primary", None, "asphalt") == 50


def test_merged_edges_take_the_slowest_value(profile):
    assert profile.edge_speed_kph(["residential", "tertiary"]) == 20
    assert profile.edge_speed_kph("secondary", ["60", "40"]) == pytest.approx(40 * profile.maxspeed_factor)
    assert profile.edge_speed_kph("secondary", None, ["asphalt", "ground"]) == 20


def test_links_and_unknown_classes(profile):
    assert profile.edge_speed_kph("primary_link") == pytest.approx(50 * profile.link_factor)
    assert profile.edge_speed_kph("raceway") == profile.fallback_kph


def test_profile_hash_changes_with_any_speed(tmp_path: Path, profile):
    edited = DEFAULT_PROFILE_PATH.read_text().replace("primary = 50.0", "primary = 45.0")
    (tmp_path / "p.toml").write_text(edited)
    other = load_profile(tmp_path / "p.toml")
    assert other.edge_speed_kph("primary") == 45
    assert other.hash != profile.hash
    assert load_profile().hash == profile.hash


def test_bad_profile_files_are_named_clearly(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        load_profile(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("highway_kph = [")
    with pytest.raises(InputError, match="not valid TOML"):
        load_profile(tmp_path / "bad.toml")
    (tmp_path / "neg.toml").write_text('[highway_kph]\nprimary = -5\nsecondary = "fast"\n')
    with pytest.raises(InputError, match=r"highway_kph\.primary.*highway_kph\.secondary"):
        load_profile(tmp_path / "neg.toml")
    (tmp_path / "empty.toml").write_text('name = "x"\n')
    with pytest.raises(InputError, match="lacks the table 'highway_kph'"):
        load_profile(tmp_path / "empty.toml")
