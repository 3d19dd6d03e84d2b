"""The rate limits hold exactly across worker processes and hosts.

Two gunicorn servers, each its own process with its own memory, stand for two
workers (or two hosts) of one site: they share the database and the
rate-limit storage, and requests alternate between them. With counters kept
in each process (``memory://``) each would allow the whole limit.
"""

from __future__ import annotations

import pytest

from tests import servers
from tests.conftest import missing


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of our own for this module (Debian's package ``redis-server``)."""
    if servers.redis_binary() is None:
        missing("redis-server not found (Debian package redis-server)")
    with servers.redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["default", "redis"])
def storage(request) -> dict[str, str]:
    """The rate-limit storage settings: the embedded default, or a Redis server."""
    if request.param == "default":
        return {}
    import redis

    url = request.getfixturevalue("redis_url")
    redis.Redis.from_url(url).flushdb()
    return {"TRACKER_RATELIMIT_STORAGE_URL": url}


@pytest.fixture
def two_workers(storage, database_url, tmp_path):
    """Two app processes on one database and one rate-limit storage; yield their base URLs."""
    settings = {
        **storage,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SECRET_KEY": "workers-test-secret",
        "TRACKER_RATELIMIT_ENABLED": "true",
        "TRACKER_RATELIMIT_PUBLIC": "3 per minute",
        "TRACKER_RATELIMIT_LOGIN": "3 per minute",
        "TRACKER_RATELIMIT_COMPLAINT_SUBMIT": "3 per hour",
    }
    with servers.gunicorn_server(tmp_path / "a", settings) as a, \
            servers.gunicorn_server(tmp_path / "b", settings) as b:
        yield a, b


def test_every_limit_is_counted_once_across_workers(two_workers):
    a, b = two_workers
    public = [servers.request(base + "/api/v1/public/units") for base in (a, b, a, b, a, b)]
    assert public == [200, 200, 200, 429, 429, 429]

    # failed log-ins (through the API: a form without its CSRF token never reaches the password)
    logins = [servers.request(base + "/api/v1/auth/token", json={"username": f"nobody{n}",
                                                                 "password": "wrong"})
              for n, base in enumerate((a, b, a, b))]
    assert logins == [401, 401, 401, 429]

    complaint = {"service_code": "other", "description": "热线转来的投诉内容"}
    filed = [servers.request(a + "/open311/v2/requests.json", complaint),
             servers.request(b + "/api/v1/public/complaints",
                             json={"category": "other", "description": "接口提交的投诉内容"}),
             servers.request(a + "/open311/v2/requests.json", complaint),
             servers.request(b + "/open311/v2/requests.json", complaint),
             servers.request(a + "/api/v1/public/complaints",
                             json={"category": "other", "description": "接口提交的投诉内容"})]
    assert filed == [201, 201, 201, 429, 429]
