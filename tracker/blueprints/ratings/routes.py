"""Routes of the ratings area."""
