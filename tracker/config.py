"""Default configuration.

Overridden, in order, by ``instance/config.py``, ``TRACKER_*`` environment
variables and the test configuration passed to ``create_app``.
"""

from datetime import timedelta

# Database: the SQLite file in the instance folder when unset (see create_app).
DATABASE_URL = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Generated once and kept in the instance folder when unset (see create_app).
SECRET_KEY = None

TIMEZONE = "Asia/Shanghai"

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = timedelta(hours=8)

# Forms.
WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
MAX_CONTENT_LENGTH = 25 * 1024 * 1024

# Rate limits (Flask-Limiter).
RATELIMIT_ENABLED = True
# Where the counters live: "database://" is the application's database, shared by every gunicorn
# worker and host (tracker/rate_limits.py); or e.g. "redis://127.0.0.1:6379/0". Never "memory://"
# with more than one worker process: each would count apart and allow the whole limit.
RATELIMIT_STORAGE_URL = "database://"
# Failed log-ins per address, form and API together (successes are free: a school behind one
# address logs in freely). Each account name has its own lockout besides (auth.* settings).
RATELIMIT_LOGIN = "20 per minute;200 per hour"
RATELIMIT_PUBLIC = "60 per minute;600 per hour"
# Wrong invitation codes on the ballot pages and API, per address (guessing stays hopeless).
RATELIMIT_BALLOT_CODES = "20 per hour"
RATELIMIT_COMPLAINT_SUBMIT = "5 per hour"  # complaints filed from one address (form, API, Open311)
RATELIMIT_HEADERS_ENABLED = True

# API tokens.
API_TOKEN_HOURS = 12

# Languages.
LANGUAGES = ["zh_CN", "en"]
BABEL_DEFAULT_LOCALE = "zh_CN"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

# Bootstrap-Flask: serve Bootstrap from the package, never from a CDN.
BOOTSTRAP_SERVE_LOCAL = True

# In-process scheduler (later: weekly rounds, bulletins, reminders).
SCHEDULER = False

# Outgoing mail; notifications stay in the in-app inbox when unset.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_SENDER = "tracker@localhost"
# The address of the site, for links in e-mails (e.g. https://zfzd.example.edu.cn).
BASE_URL = ""
# Work-chat robots: seconds to wait for WeCom or DingTalk, and (tests only) robots on
# http://127.0.0.1 instead of the services' own https addresses.
CHAT_TIMEOUT = 10
CHAT_ALLOW_HTTP_LOOPBACK = False
