"""Finish the configuration and bind the extensions (called by create_app)."""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

from flask import Flask, session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on foreign keys, WAL and a busy timeout on every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_transaction(conn, name):
    """Begin SQLite's transaction before a SAVEPOINT that would otherwise open it.

    pysqlite begins a transaction only before a write; a SAVEPOINT issued first
    would open one of its own, and releasing it would commit everything so far.
    """
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _secret_key(instance: Path) -> str:
    """Return the key kept in the instance folder, generating it on first use."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def finalise_config(app: Flask) -> None:
    """Fill the derived settings: database URL, secret key, extension names."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    config = app.config
    url = config.get("DATABASE_URL") or f"sqlite:///{instance / 'tracker.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        # JIT compiling costs a ledger as of a past date a third of its time and
        # never pays off on the short queries of a web application
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True, "connect_args": {"options": "-c jit=off"},
            **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(instance)
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URL"]
    config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    # the "remember me" cookie is as secure as the session's unless set apart
    config.setdefault("REMEMBER_COOKIE_SECURE", bool(config["SESSION_COOKIE_SECURE"]))
    if config.get("PROXY_COUNT"):
        count = int(config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def select_locale() -> str:
    """Return the language chosen in the session, else Chinese."""
    from flask import current_app, has_request_context

    lang = session.get("lang") if has_request_context() else None
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_extensions(app: Flask) -> None:
    """Bind every extension to ``app``."""
    from tracker import (
        models,  # noqa: F401  (one metadata for Alembic)
        rate_limits,  # noqa: F401  (registers the database:// rate-limit storage)
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_key: str):
        """Return the user of a live server-side session (see ``sign_in`` in the auth blueprint).

        Flask-Login's "user id", in the session cookie and the remember-me cookie,
        is the key of a ``user_sessions`` row: a session ended on the server (log
        out, a password change, deactivation …) loads no one, whatever cookie
        comes back.
        """
        from tracker import clock
        from tracker.services import auth

        return auth.resolve_session(session_key, clock.now())
