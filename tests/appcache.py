"""What every test's app would otherwise compile again: its templates and its URL builders.

Each test makes an app of its own (tests/conftest.py), and a new app starts
with empty caches: Jinja compiles every template the test renders, Werkzeug
compiles a URL builder for every route the app registers — together more
than half the time of a short test. Both depend on their source alone (a
template's text; a rule's pattern and defaults), never on the app's
configuration or data, so the apps of a run share them:

- :data:`TEMPLATES`, a Jinja bytecode cache every test app is given: a
  template is compiled once a run, and again whenever its text changes (the
  cache checks the source's checksum);
- :func:`install` makes Werkzeug's rule compilation reuse the builder made
  for an identical rule: the same Python function, which takes the rule it
  builds for as its first argument.
"""

from __future__ import annotations

from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import rules


class SharedTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole run."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)  # ignored unless the source's checksum matches

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplates()

_builders: dict[tuple, Any] = {}
_compile_builder = rules.Rule._compile_builder


def _shared_compile_builder(self: rules.Rule, append_unknown: bool = True):
    """Return the builder made for an identical rule, else make (and keep) one."""
    defaults = self.defaults or {}
    if any(dynamic and name in defaults for dynamic, name in self._trace):
        # a default for a part of the pattern is built into the builder by the
        # rule's own converter: not shared
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(sorted(defaults)), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def install() -> None:
    """Share the URL builders between the apps of this process (once)."""
    rules.Rule._compile_builder = _shared_compile_builder
