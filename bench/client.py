"""A small HTTP client for the benchmark: one kept-alive connection, a cookie jar, CSRF tokens.

Real requests over loopback to the gunicorn server, with the standard library
only: ``http.client`` for the connection, ``http.cookies`` for the jar.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float  # from sending the request to the last byte of the body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class BadResponse(RuntimeError):
    pass


class Client:
    """One user agent: its cookies, its bearer token, its own connection."""

    def __init__(self, base_url: str, timeout: float = 600):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.cookies: dict[str, str] = {}
        self.bearer: str | None = None
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, expect: int | tuple[int, ...] = 200) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        for attempt in (1, 2):  # the server may have closed an idle kept-alive connection
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            break
        if reply.getheader("Connection", "").lower() == "close":
            self.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["expires"] and "1970" in morsel["expires"] or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        response = Response(reply.status, reply.headers, data, seconds)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status not in wanted:
            raise BadResponse(f"{method} {path} answered {response.status}, not {wanted}: "
                              f"{response.text[:300]!r}")
        return response

    def get(self, path: str, expect: int | tuple[int, ...] = 200) -> Response:
        return self.request("GET", path, expect=expect)

    def post_form(self, path: str, fields: dict, expect: int | tuple[int, ...] = 302) -> Response:
        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"}, expect)

    def post_json(self, path: str, payload, expect: int | tuple[int, ...] = 201) -> Response:
        return self.request("POST", path, json.dumps(payload).encode(),
                            {"Content-Type": "application/json"}, expect)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the first form on a page (the token lasts as long as the session)."""
        page = self.get(path).text
        field = CSRF.search(page)
        value = VALUE.search(field.group(0)) if field else None
        if value is None:
            raise BadResponse(f"no csrf_token field on {path}")
        return value.group(1)

    def log_in(self, username: str, password: str) -> None:
        """Log in through the real form: its CSRF token, then the POST (a redirect)."""
        token = self.csrf_token("/login")
        self.post_form("/login", {"csrf_token": token, "username": username, "password": password})

    def api_token(self, username: str, password: str) -> None:
        """Get a bearer token from POST /api/v1/auth/token; later requests send it."""
        reply = self.post_json("/api/v1/auth/token", {"username": username, "password": password})
        self.bearer = reply.json()["token"]


def wait_until_up(base_url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        client = Client(base_url, timeout=5)
        try:
            client.get("/login")
            return
        except (OSError, BadResponse):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        finally:
            client.close()
