"""Demo data: demo_ratings (loaded by `tracker demo`, once)."""

from __future__ import annotations

from datetime import date

from tracker.services import audit


def load(actor: audit.Actor, today: date) -> bool:
    """Add the demo records once; return whether anything was added."""
    return False
