"""Access-matrix rows of the staff search box: every account, each kind of result scoped as its list."""

from __future__ import annotations

ANONYMOUS = "anonymous"
ROLES = ("admin", "office", "leader", "unit_head", "unit_member")
TO_LOGIN = (302, "/login")

WEB_ROWS = {
    ("GET", "/search"): {ANONYMOUS: TO_LOGIN, **dict.fromkeys(ROLES, 200)},
}
