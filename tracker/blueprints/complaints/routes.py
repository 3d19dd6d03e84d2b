"""Routes of the complaints area."""
