"""Routes of the assessments area."""
