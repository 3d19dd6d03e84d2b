"""The ``tracker`` command: the Flask CLI bound to the app (commands in tracker/commands.py)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from tracker import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Manage the conduct-rectification tracker."""
