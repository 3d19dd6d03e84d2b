"""Who issues the bureau's official documents and how they are numbered (the settings page).

One setting names the issuing organ: the red masthead 发文机关标志 of every
.docx, its signature 发文机关署名, the office a notice's unit sends its report
to, and the 印发机关 of the 版记 — so they always agree. A document number
发文字号 is 机关代字〔年份〕序号号: the services store 〔年份〕序号号 as they assign it
(bulletins.publish, notices.issue); the prefix of the document's kind is
prepended wherever the number is shown (the .docx, the pages, the public site),
so changing the prefix renames every number at once.
"""

from __future__ import annotations

from tracker.services import settings

KINDS = ("bulletin", "notice")


def organ() -> str:
    """The issuing organ's name (发文机关标志, 署名, 印发机关)."""
    return settings.get("documents.organ_name")


def copies_to() -> str:
    """The 抄送机关 of the 版记, "、"-separated; empty: no 抄送 line."""
    return settings.get("documents.copies_to")


def prefix(kind: str) -> str:
    """The 机关代字 of ``kind`` ("bulletin", "notice")."""
    return settings.get(f"documents.prefix.{kind}")


def number(kind: str, stored: str | None) -> str | None:
    """The full 发文字号 of a stored number ("〔2026〕3号" → "教作整〔2026〕3号"); None stays None."""
    if not stored:
        return stored
    code = prefix(kind)
    return stored if stored.startswith(code) else f"{code}{stored}"
