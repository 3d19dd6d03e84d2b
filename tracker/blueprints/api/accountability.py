"""API: accountability (API.md)."""
