"""API: ratings (API.md)."""
