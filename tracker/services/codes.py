"""Unguessable codes read off paper: complaint tracking codes and invitation codes."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a code read off paper is typed back right.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new(length: int) -> str:
    """Return a random code of ``length`` characters (about 5 bits each)."""
    return "".join(secrets.choice(ALPHABET) for _i in range(length))


def normalise(raw: str | None, length: int) -> str | None:
    """Return the code as stored (upper case, no spaces or dashes), or None if it cannot be one."""
    if raw is None:
        return None
    code = re.sub(r"[\s\-]", "", raw).upper()
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


def group(code: str) -> str:
    """Return the code in groups of four, for reading off paper."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))
