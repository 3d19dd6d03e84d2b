"""Gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app`` (``make run``, ``make bench``).

Everything comes from the environment, with these defaults:

- ``TRACKER_BIND``: the address to listen on (``127.0.0.1:5000``);
- ``TRACKER_WORKERS`` or ``WEB_CONCURRENCY``: worker processes (2);
- ``TRACKER_THREADS``: threads per worker (4);
- ``TRACKER_TIMEOUT``: seconds before a silent worker is restarted (120: the
  whole-ledger export of a city takes a while);
- ``TRACKER_GRACEFUL_TIMEOUT``: seconds a worker gets to finish its requests
  on a restart or stop (30);
- ``TRACKER_ACCESS_LOG``: where to write the access log (off; ``-`` for stdout).

The app is loaded in each worker (no preload): every worker opens its own
database connections, and a restart picks up new code. The workers share
nothing in memory: the rate-limit counters are in the database (or Redis,
``TRACKER_RATELIMIT_STORAGE_URL``), so each limit holds across them all.
"""

import os

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("TRACKER_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("TRACKER_THREADS") or 4)
worker_class = "gthread"
timeout = int(os.environ.get("TRACKER_TIMEOUT") or 120)
graceful_timeout = int(os.environ.get("TRACKER_GRACEFUL_TIMEOUT") or 30)
keepalive = 5
preload_app = False
accesslog = os.environ.get("TRACKER_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("TRACKER_LOG_LEVEL", "info")
