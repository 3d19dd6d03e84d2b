"""Routes of the accountability area."""
