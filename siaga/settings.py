"""All configuration in one pydantic-settings object, read from ``SIAGA_*`` environment variables.

Built once in the composition root (CLI, app factory) and passed down; nothing reads the
environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

UNSAFE_SECRET = "change-me-development-only"
MIN_SECRET_CHARS = 32
"""Shortest secret (``SIAGA_SECRET_KEY``, ``SIAGA_METRICS_TOKEN``) accepted in production."""


class Settings(BaseSettings):
    """Runtime settings. Every default suits the one-command demo on a laptop."""

    model_config = SettingsConfigDict(env_prefix="SIAGA_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    var_dir: Path = Field(default=Path("var"), description="runtime files: database, graph caches, logs")
    boundaries_path: Path = DATA_DIR / "siak_boundaries.geojson"
    schematic_osm_path: Path = DATA_DIR / "siak_schematic.osm.bz2"
    speed_profile_path: Path | None = None
    graph_border_buffer_m: float = Field(
        default=5000.0, ge=0, description="roads this far outside the regency are kept (border crossings)"
    )
    outside_buffer_m: float = Field(
        default=2000.0, ge=0, description="a point farther than this outside Siak is reported as outside"
    )
    snap_max_distance_m: float = Field(default=250.0, gt=0)
    far_from_road_m: float = Field(
        default=500.0, gt=0, description="an incident point farther than this from any road is warned"
    )
    secret_key: SecretStr = SecretStr(UNSAFE_SECRET)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment != "production":
            return self
        secret = self.secret_key.get_secret_value()
        if secret == UNSAFE_SECRET:
            raise ValueError(
                "SIAGA_SECRET_KEY is the development default; set a long random secret in production"
            )
        if len(secret.strip()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"SIAGA_SECRET_KEY is {'empty' if not secret.strip() else 'too short'}: production needs "
                f"at least {MIN_SECRET_CHARS} characters, e.g. the output of "
                "'python -c \"import secrets; print(secrets.token_urlsafe(32))\"'"
            )
        return self

    @property
    def osm_graph_dir(self) -> Path:
        """Cache of a graph built from real OpenStreetMap data."""
        return self.var_dir / "graph" / "osm"

    @property
    def schematic_graph_dir(self) -> Path:
        """Cache of the schematic stand-in graph (never mixed with the real one)."""
        return self.var_dir / "graph" / "schematic"

    # --- dispatch database and HTTP API (appended) -------------------------------------------------

    database_url: str = Field(
        default="sqlite:///var/siaga.db",
        description="SQLAlchemy URL: postgresql+psycopg://... (PostGIS) or sqlite:///path (embedded demo)",
    )
    database_pool_size: int = Field(default=10, ge=1, description="connections kept open per process")
    database_max_overflow: int = Field(default=20, ge=0, description="extra connections under load")
    migrate_on_startup: bool = Field(
        default=True, description="run the Alembic migrations when the API starts (always on SQLite)"
    )
    fleet_csv_path: Path | None = Field(
        default=DATA_DIR / "siak_fleet_example.csv",
        description="stations and units imported at start-up when the database has no unit yet",
    )
    facilities_csv_path: Path | None = Field(
        default=DATA_DIR / "siak_facilities_extra.csv",
        description="hospitals added at start-up (with the fleet's stations) when their id is not stored yet",
    )
    stale_after_s: float = Field(
        default=120.0, gt=0, description="a unit position older than this is stale (ranked separately)"
    )
    recommend_k: int = Field(default=5, ge=1, le=50, description="units ranked per requirement")
    seed_demo_tokens: bool | None = Field(
        default=None,
        description="seed well-known demo API tokens when none exist (default: in development only)",
    )

    @model_validator(mode="after")
    def _refuse_demo_tokens_in_production(self) -> Settings:
        if self.environment == "production" and self.seed_demo_tokens:
            raise ValueError("SIAGA_SEED_DEMO_TOKENS is on; well-known demo tokens are refused in production")
        return self

    @property
    def demo_tokens_enabled(self) -> bool:
        """Whether demo tokens are seeded (only ever in development)."""
        if self.environment != "development":
            return False
        return True if self.seed_demo_tokens is None else self.seed_demo_tokens

    # --- MQTT ingest, HTTP server, demo (appended) ---------------------------------------------------

    mqtt_host: str = Field(default="127.0.0.1", description="broker the ingest worker subscribes to")
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_client_id: str = Field(default="siaga-ingest-1", description="stable: the broker keeps its session")
    mqtt_protocol: Literal["5", "3.1.1"] = Field(default="5", description="3.1.1 for brokers such as amqtt")
    mqtt_shared_group: str | None = Field(
        default=None, description="set to split the load over several workers ($share/<group>/...)"
    )
    ingest_receiver_process: bool = Field(
        default=True,
        description="run an ingest worker's MQTT client in a child process of its own (uses two cores)",
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    metrics_port: int = Field(
        default=9112, ge=1, le=65535, description="Prometheus /metrics of an ingest worker"
    )
    demo_mqtt_port: int = Field(default=18830, ge=1, le=65535, description="the demo's in-process broker")
    demo_speedup: float = Field(
        default=3.0, gt=0, le=3.5, description="simulated vehicles drive faster (more fails the jump filter)"
    )

    # --- HTTP hardening (appended) ----------------------------------------------------------------------

    max_request_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="request bodies larger than this are refused with 413 while being read",
    )
    auth_failure_limit: int = Field(
        default=20,
        ge=0,
        description="401 answers per client address within the window before it gets 429 (0: no limit)",
    )
    auth_failure_window_s: float = Field(default=60.0, gt=0, description="sliding window of that count")
    auth_failure_max_addresses: int = Field(
        default=10_000, ge=1, description="client addresses tracked at most (least recently failed dropped)"
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="bearer token Prometheus sends to the API's /metrics (an admin API token works too)",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="address an ingest worker's Prometheus /metrics listens on"
    )
    position_retention_months: int = Field(
        default=13,
        ge=1,
        le=600,
        description="GPS fixes older than this many whole months are dropped by 'dispatch-geo history "
        "maintain' (incident-linked tracks are kept); see docs/deployment.md",
    )
    partitions_ahead_months: int = Field(
        default=3, ge=1, le=24, description="monthly position_fixes partitions created ahead (PostgreSQL)"
    )

    # --- routing at scale (appended) -------------------------------------------------------------------

    routing_engine: Literal["cch", "dijkstra"] = Field(
        default="cch",
        description="cch: contraction hierarchy (order cached with the graph); dijkstra: the exact fallback",
    )
    routing_cch_background: bool = Field(
        default=True,
        description="cch only: build the hierarchy on its own thread after start-up and answer with the "
        "exact Dijkstra search until it is ready (the server is ready seconds sooner on a large graph)",
    )

    @model_validator(mode="after")
    def _refuse_short_metrics_token_in_production(self) -> Settings:
        token = self.metrics_token
        too_short = token is not None and len(token.get_secret_value().strip()) < MIN_SECRET_CHARS
        if self.environment == "production" and too_short:
            raise ValueError(
                f"SIAGA_METRICS_TOKEN is shorter than {MIN_SECRET_CHARS} characters; "
                "use a long random token in production (or leave it unset: admin tokens only)"
            )
        return self

    # --- operator accounts, console sessions, shifts (appended) ------------------------------------------

    session_idle_timeout_s: float = Field(
        default=1800.0,
        ge=1,
        le=24 * 3600,
        description="a console session without any action of its person for this long is ended (re-login)",
    )
    session_cookie_secure: bool | None = Field(
        default=None,
        description="send the session cookie over HTTPS only (default: in production)",
    )
    shift_times: str = Field(
        default="07:00-15:00,15:00-23:00,23:00-07:00",
        description="shift slots of the local (WIB) day; proposes a new shift's name and bounds",
    )
    console_demo_token: bool = Field(
        default=False,
        description="development tools only: the console uses the demo dispatcher token instead of a login",
    )

    @model_validator(mode="after")
    def _check_operator_settings(self) -> Settings:
        from dispatch_geo.domain.shifts import parse_shift_times

        parse_shift_times(self.shift_times)  # an InputError (a ValueError) names every bad slot
        if self.environment == "production" and self.console_demo_token:
            raise ValueError("SIAGA_CONSOLE_DEMO_TOKEN is on; the console must ask for a login in production")
        return self

    @property
    def cookie_secure(self) -> bool:
        """Whether the session cookie carries ``Secure``."""
        if self.session_cookie_secure is None:
            return self.environment == "production"
        return self.session_cookie_secure

    # --- crew side (issue 13): the unit's phone page ------------------------------------------------

    crew_sees_caller_phone: bool = Field(
        default=True,
        description="show the caller's callback number on the crew page of the units assigned to the call",
    )
    crew_poll_interval_s: float = Field(
        default=1.0, gt=0, le=30, description="how often the crew page asks for a new assignment"
    )
    device_silent_after_s: float = Field(
        default=600.0,
        gt=0,
        description="an on-duty unit whose device sent nothing for this long is flagged silent (OwnTracks "
        "move mode and Traccar Client at 30 s report far more often; significant-changes mode may not)",
    )
    device_battery_low_pct: float = Field(
        default=15.0, ge=0, le=100, description="an on-duty unit's device reporting less battery is flagged"
    )
    device_clock_ahead_s: float = Field(
        default=120.0,
        gt=0,
        description="an on-duty unit's device whose fix times run this far ahead of the server's clock is "
        "flagged (past the ingest filter's 300 s its fixes are rejected as future_fix)",
    )
    demo_scene_dwell_s: float = Field(
        default=600.0, gt=0, description="simulated seconds a demo crew stays on scene or at the hospital"
    )
    geofence_radius_m: float = Field(
        default=150.0, gt=0, le=5000, description="a unit this close to its target is arriving"
    )
    geofence_dwell_s: float = Field(
        default=20.0, ge=0, le=600, description="for this long before its crew page proposes the arrival"
    )
    geofence_auto_status: bool = Field(
        default=False,
        description="the ingest worker sets en route units 'on scene' and transporting units 'at hospital' "
        "by itself once their fixes stay within geofence_radius_m for geofence_dwell_s (audited as "
        "'geofence'); off: the arrival is only proposed",
    )
    arrival_check_m: float = Field(
        default=1000.0,
        gt=0,
        description="an arrival (on scene, at hospital) reported farther than this from the place needs "
        "a confirmation and is flagged in the incident's timeline",
    )

    # --- the live picture under load (issue 16, appended) ---------------------------------------------

    token_cache_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="a bearer token's lookup is kept this long per process: a revoked token stops "
        "working within this time (0: looked up on every request)",
    )
    database_pool_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="a request waits this long for a free database connection, then gets 503 + Retry-After",
    )
    live_max_age_s: float = Field(
        default=0.5,
        gt=0,
        le=10,
        description="GET /live is rebuilt at least this often (positions, fix ages); a dispatch change "
        "(incident, assignment, unit status) shows at once",
    )
    live_min_interval_s: float = Field(
        default=0.25,
        ge=0,
        le=5,
        description="GET /live is rebuilt at most this often per process, however often the dispatch "
        "state changes (0: on every change)",
    )
