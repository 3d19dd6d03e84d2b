"""Access-matrix rows of the later areas, one module each.

Each module may define:

- ``build(world, make)``: add rows the area's routes need (ids into
  ``world.ids``, anything else into ``world.extra``); called by ``build_world``.
- ``WEB_ROWS`` / ``API_ROWS``: ``(method, rule) → role → expected``, merged
  into the HTML and API matrices.
- ``web_ids(world, key)`` / ``api_ids(world, key)``: the ids for a row, or None
  for the world's own.
- ``web_body(world, key)``: a valid form for a POST-only route, or None.
- ``api_options(world, key)``: request options (``json=`` or ``data=``), or None.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil


@functools.cache
def areas() -> list:
    """Import the area modules on first use (they may import ``tests.access``, which imports this)."""
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)]


def build(world, make) -> None:
    for area in areas():
        if hasattr(area, "build"):
            area.build(world, make)


def rows(kind: str) -> dict:
    merged: dict = {}
    for area in areas():
        merged.update(getattr(area, f"{kind}_ROWS", {}))
    return merged


def first(hook: str, world, key):
    """Return the first area's non-None answer of ``hook(world, key)``."""
    for area in areas():
        if hasattr(area, hook):
            answer = getattr(area, hook)(world, key)
            if answer is not None:
                return answer
    return None
