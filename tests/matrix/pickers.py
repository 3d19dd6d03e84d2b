"""Access-matrix rows of the type-ahead pickers: every account, each answer scoped to what it reads."""

from __future__ import annotations

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
TO_LOGIN = (302, "/login")

WEB_ROWS = {
    ("GET", "/pickers/units"): {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, 200)},
    ("GET", "/pickers/users"): {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, 200)},
}
