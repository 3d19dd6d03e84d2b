"""Browser fixtures: the test's app served on a free port, Debian's Chromium via Playwright.

The live server serves the very ``app`` of the test (same database), so
``make`` factories in the test are visible to the browser. CSRF stays on:
the browser posts the real forms with their tokens.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Report a Content-Security-Policy violation to Python (bindings are not subject to CSP).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  window.__trackerCspViolation(
    `${event.violatedDirective} blocked ${blocked} on ${document.location.pathname}`);
});
"""


@pytest.fixture
def app_config(app_config):
    """Keep CSRF protection on: the browser submits the real forms."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):  # no access log lines in the test output
        pass


@dataclass
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(app):
    """Serve the test's ``app`` on 127.0.0.1 and a free port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Problems:
    """Console errors, uncaught script errors and CSP violations seen by the pages."""

    items: list[str] = field(default_factory=list)

    def watch(self, context) -> None:
        context.expose_function(
            "__trackerCspViolation", lambda text: self.items.append(f"CSP: {text}")
        )
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.items.append(f"page error: {error.error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.items.append(f"console: {message.text} ({where})")


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_page(browser, live_server, problems):
    """Open a page in a fresh context (Chinese, desktop size unless told otherwise)."""
    contexts = []

    def open_page(viewport: dict | None = None, locale: str = "zh-CN"):
        context = browser.new_context(
            locale=locale, viewport=viewport or DESKTOP, base_url=live_server.url
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        problems.watch(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
