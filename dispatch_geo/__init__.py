"""Siak Siaga 112: geo and dispatch core (road graph, routing, gazetteer, domain)."""
