"""No page, flash message or export shows a code where its label belongs.

Every route of the access matrix (tests/web/test_access_matrix.py) is
requested as each role it lets in, in Chinese and in English: pages that
answer 200, and the POST steps that redirect (followed, so that their flash
message is read too). The visible text — tags, scripts, styles and so
attribute values and URLs stripped — and the text cells of every .xlsx and
the paragraphs of every .docx must not hold a code of a closed vocabulary
(every ``Choice`` enum: statuses, categories, kinds, roles, peer groups,
audit actions…) as a whole word.

In Chinese every code counts, except a plain word inside a run of English
words: that is a sentence not yet translated (tests/services/test_translations.py
is where catalogs are checked), not a code. In English, codes that are one
plain word (``closed``, ``office``, ``other``) are also ordinary words of the
English text, so only the codes no sentence holds are looked for: those
joined by ``_`` or ``.`` (``unit_head``, ``task.create``, ``basically_satisfied``).

An element marked ``data-code-id`` shows an identifier on purpose (the name
of a scheduled job, which ``tracker run-job`` takes) and is not read.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest

import tracker.models  # noqa: F401  (every enum defined)
from tests.access import ANONYMOUS, EVERYONE, fill
from tests.factories import PASSWORD
from tests.web.test_access_matrix import MATRIX, bodies, ids_for
from tracker.models import Choice
from tracker.services import audit_labels

LANGUAGES = ("zh_CN", "en")
CODES = sorted({code for choice in Choice.__subclasses__() for code in choice.codes()}
               | set(audit_labels.action_codes()))
COMPOUND = [code for code in CODES if "_" in code or "." in code]

# Codes that are also words shown on purpose, with the reason (none so far).
ALLOWED: set[str] = set()

# Routes whose answer is no page for a person to read.
SKIPPED_RULES = {
    "/pickers/units", "/pickers/users",  # JSON for the type-ahead script
}


def _pattern(codes) -> re.Pattern:
    words = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.\-/@])({words})(?![\w\-/@]|\.\w)")


PATTERNS = {"zh_CN": _pattern(CODES), "en": _pattern(COMPOUND)}

HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->"
                    r"|<(\w+)[^>]*\sdata-code-id\b[^>]*>.*?</\2>", re.S | re.I)
ENGLISH_BEFORE = re.compile(r"[A-Za-z]+[\s,;:]+$")
ENGLISH_AFTER = re.compile(r"^[\s.,;:!?'’]*[A-Za-z]")
TAG = re.compile(r"<[^>]*>")


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles, comments, tags or attribute values."""
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))


def xlsx_text(data: bytes) -> str:
    """The text cells of every sheet (shared strings and inline strings)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"]
    return "\n".join(html.unescape(" ".join(re.findall(r"<t[^>]*>([^<]*)</t>", part)))
                     for part in parts)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith("word/") and name.endswith(".xml")]
    return "\n".join(html.unescape(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", part)))
                     for part in parts)


def shown_text(response) -> str:
    data = response.get_data()
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return xlsx_text(data)
    if response.mimetype.endswith("wordprocessingml.document"):
        return docx_text(data)
    if response.mimetype == "text/html":
        return visible_text(data.decode("utf-8"))
    return ""


def raw_codes(text: str, language: str) -> list[str]:
    found = []
    for match in PATTERNS[language].finditer(text):
        code = match.group(1)
        if code in ALLOWED:
            continue
        before, after = text[max(match.start() - 60, 0):match.start()], text[match.end():match.end() + 60]
        if (language == "zh_CN" and code.isalpha() and ENGLISH_BEFORE.search(before)
                and ENGLISH_AFTER.search(after)):
            continue  # a word of an English sentence
        start, end = max(match.start() - 40, 0), match.end() + 40
        found.append(f"{code!r} in …{' '.join(text[start:end].split())}…")
    return found


def _wanted(method: str, expected) -> bool:
    if method == "GET":
        return expected == 200
    return isinstance(expected, tuple) and expected[0] == 302 and expected[1] != "/login"


ROUTES = [pytest.param(method, rule, id=f"{method} {rule}") for method, rule in sorted(MATRIX)
          if rule not in SKIPPED_RULES
          and any(_wanted(method, MATRIX[method, rule][who]) for who in EVERYONE)]


def _client(app, world, who: str, language: str):
    client = app.test_client()
    if who != ANONYMOUS:
        response = client.post("/login", data={"username": world.users[who].username,
                                               "password": PASSWORD})
        assert response.status_code == 302, who
    client.post("/language", data={"lang": language})
    return client


@pytest.mark.parametrize(("method", "rule"), ROUTES)
def test_no_raw_code_is_shown(app, access_world, method, rule):
    world = access_world
    path = fill(rule, ids_for(world, (method, rule)))
    found = []
    for language in LANGUAGES:
        for who in EVERYONE:
            if not _wanted(method, MATRIX[method, rule][who]):
                continue
            with app.app_context():
                client = _client(app, world, who, language)
                response = client.open(path, method=method, data=bodies(world, (method, rule)),
                                       follow_redirects=method != "GET")
                text = shown_text(response)
                response.close()
            found += [f"{language} {who}: {hit}" for hit in raw_codes(text, language)]
    assert found == [], f"{method} {path} shows codes:\n" + "\n".join(dict.fromkeys(found))


def test_the_scan_finds_a_code_and_not_a_url():
    assert raw_codes(visible_text('<td><code>task.create</code></td>'), "en") == [
        "'task.create' in …task.create…"]
    assert raw_codes(visible_text('<a href="/x?status=dispatched">已下派</a>'), "zh_CN") == []
    assert raw_codes(visible_text("<p>派往 dispatched 单位</p>"), "zh_CN")
    assert raw_codes(visible_text("<p>the office closed it</p>"), "en") == []
