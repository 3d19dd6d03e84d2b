"""API: notices (API.md)."""
