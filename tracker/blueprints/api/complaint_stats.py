"""API: complaint_stats (API.md)."""
