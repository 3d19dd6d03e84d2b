"""A stand-in for the WeCom and DingTalk robot services: an HTTP server on loopback.

It keeps every message it receives (path, query and JSON body), checks
DingTalk's signature when given the secret, and answers as told: ``ok``,
``http500`` or ``errcode`` (310000, as DingTalk answers a bad signature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict
    signature_ok: bool | None


@dataclass
class RobotServer:
    port: int = field(default_factory=free_port)
    secrets: dict[str, str] = field(default_factory=dict)  # access_token → DingTalk secret
    answers: dict[str, str] = field(default_factory=dict)  # key or access_token → answer
    received: list[Received] = field(default_factory=list)

    def wecom_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str) -> str:
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={token}"

    def for_robot(self, token: str) -> list[Received]:
        return [r for r in self.received if token in (r.query.get("key"), r.query.get("access_token"))]

    def __enter__(self) -> RobotServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = query.get("key") or query.get("access_token")
                signature_ok = None
                if token in server.secrets:
                    secret = server.secrets[token]
                    expected = base64.b64encode(hmac.new(
                        secret.encode(), f"{query.get('timestamp')}\n{secret}".encode(),
                        hashlib.sha256).digest()).decode()
                    signature_ok = hmac.compare_digest(expected, query.get("sign", ""))
                server.received.append(Received(parts.path, query, body, signature_ok))
                answer = server.answers.get(token, "ok")
                if signature_ok is False:
                    answer = "errcode"
                if answer == "http500":
                    self.send_response(500)
                    self.end_headers()
                    return
                reply = ({"errcode": 0, "errmsg": "ok"} if answer == "ok"
                         else {"errcode": 310000, "errmsg": "sign not match"})
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
