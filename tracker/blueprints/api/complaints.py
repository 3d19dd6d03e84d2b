"""API: complaints (API.md)."""
