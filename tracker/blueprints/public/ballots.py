"""Public ballot page and published rating results."""
