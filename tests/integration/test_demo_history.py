"""The demo's simulated history: plausible response times for every agency, labelled simulated,
no unit in two places at once, and timelines that open."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import select

from dispatch_geo.dispatch.timeline import incident_timeline
from dispatch_geo.domain.fleet_csv import load_fleet_csv
from dispatch_geo.storage import fleet_repo, kpi_repo
from dispatch_geo.storage.engine import make_engine, make_session_factory
from dispatch_geo.storage.migrate import upgrade_to_head
from dispatch_geo.storage.models import AssignmentRow, IncidentRow
from siaga.demo_history import seed_simulated_history, simulated_count
from tests.integration.storage_fixtures import FLEET_CSV

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def test_simulated_history_is_plausible_and_labelled(tmp_path: Path, gazetteer) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'siaga.db'}")
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        fleet_repo.import_fleet(session, fleet=load_fleet_csv(FLEET_CSV), at=NOW)
        stored = seed_simulated_history(session, gazetteer=gazetteer, now=NOW)
    with sessions() as session:
        assert simulated_count(session) == stored == 28 * 9
        incidents = list(session.scalars(select(IncidentRow)))
        assert all(i.simulated and i.created_at < NOW for i in incidents)
        report = kpi_repo.kpi_report(session, since=NOW - timedelta(days=29), until=NOW)
        assert report.simulated == report.incidents == stored
        agencies = {r.agency: r for r in report.by_agency}
        assert set(agencies) == {"all", "psc_119", "damkar", "polres", "bpbd"}
        for row in agencies.values():
            median = row.intervals["response"].median_s
            assert median is not None
            assert 5 * 60 < median < 2 * 3600, (row.agency, median)  # BPBD: two rescue units only
        assert (agencies["psc_119"].intervals["response"].median_s or 0) < 30 * 60
        assert 0 < (agencies["psc_119"].share_within_standard or 0) < 1
        spans = defaultdict(list)
        for a in session.scalars(select(AssignmentRow)):
            spans[a.unit_id].append((a.assigned_at, a.released_at))
        for unit_spans in spans.values():  # one simulated incident at a time per unit
            unit_spans.sort()
            assert all(end <= nxt for (_, end), (nxt, _) in pairwise(unit_spans))
        timeline = incident_timeline(session, incident_id=incidents[0].id)
        assert timeline[0].kind == "incident_created"
        assert "unit_status" in {e.kind for e in timeline}
    engine.dispose()
