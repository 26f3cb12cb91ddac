"""The API fixtures every integration test may ask for by name (both backends, the app client)."""

from tests.integration.api_fixtures import (  # noqa: F401 - registered as fixtures by importing them here
    api_migrated_template,
    client,
    db_url,
    gazetteer,
    make_client,
    pg_db_url,
)
