"""Folium map builders (live, coverage, replay)."""
