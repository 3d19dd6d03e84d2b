"""The conduct-rectification tracker."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the application: defaults, instance config, TRACKER_* env, test config."""
    from tracker import configure, web
    from tracker.unit_of_work import Application

    instance_path = os.environ.get("TRACKER_INSTANCE_PATH")
    app = Application(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_object("tracker.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TRACKER")
    if test_config:
        app.config.update(test_config)
    configure.finalise_config(app)
    configure.init_extensions(app)
    web.init_app(app)
    if app.config["SCHEDULER"] and not app.testing:
        from tracker import jobs

        jobs.start_in_process(app)
    return app
