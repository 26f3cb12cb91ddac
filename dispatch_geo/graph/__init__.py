"""Road graph: OpenStreetMap to a routable graph with Siak travel times, cache and snapping."""
