"""API: assessments (API.md)."""
