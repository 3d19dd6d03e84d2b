"""GeoReport v2 routes."""
