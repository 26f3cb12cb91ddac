"""Dispatch services: orchestrate storage (repositories) and routing for incidents and units.

Every service is a keyword-only function that takes a :class:`~sqlalchemy.orm.Session` and never
commits: the caller (an HTTP request, a CLI command) owns the transaction, so a failure anywhere leaves
nothing half-written. Services own no global state; the road graph's router and snapper and the
gazetteer come in as a :class:`~dispatch_geo.dispatch.context.GeoContext` built once at start-up.
"""
