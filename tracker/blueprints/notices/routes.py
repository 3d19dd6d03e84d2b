"""Routes of the notices area."""
