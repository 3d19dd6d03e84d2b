"""The order in which names are listed: Chinese by pinyin, as a reader looks them up.

Code-point order puts 一中 after 实验小学 and scatters names that start with the same
sound; ``name_key`` sorts by the pinyin of each character (tones ignored, Latin letters and
digits as themselves), the name itself breaking ties.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=8192)
def name_key(name: str | None) -> tuple[str, str]:
    text = name or ""
    return (" ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default")).lower(), text)
