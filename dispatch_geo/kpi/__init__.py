"""Response-time KPIs ("Kinerja"): intervals of each incident's timeline and their statistics.

Pure: :mod:`.intervals` turns one incident's milestones into intervals, :mod:`.summary` aggregates them
per agency, kecamatan and week. The storage query lives in :mod:`dispatch_geo.storage.kpi_repo`.
"""
