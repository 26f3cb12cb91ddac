"""Routing on the road graph: travel times, nearest available units, isochrones."""
