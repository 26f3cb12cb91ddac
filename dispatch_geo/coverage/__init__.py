"""Coverage analysis (travel times, isochrones, demand, coverage, move-up) and station siting."""
