"""The translation catalogs are complete, current and keep their placeholders.

No app and no database: these read babel.cfg, the sources and the .po files.
After adding or changing a UI string run ``make translations`` and fill the
new entries in every catalog.
"""

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tracker import config

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "tracker" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # as in `make translations`: -k _l
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def catalog_dir(language: str) -> Path:
    """Return the folder Flask-Babel reads for ``language`` (zh_CN -> zh_Hans_CN)."""
    return TRANSLATIONS / str(Locale.parse(language)) / "LC_MESSAGES"


def read_catalog(language: str):
    with open(catalog_dir(language) / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def strings(message) -> list[str]:
    """Return a message's translations (one, or one per plural form)."""
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def source_messages() -> dict[tuple[str, str | None], str]:
    """Return {(msgid, context): "file:line"} for every string marked in the sources."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted():
    return source_messages()


def test_the_sources_have_strings_to_translate(extracted):
    assert len(extracted) > 100
    assert ("Waiting for you", None) in extracted  # a template string
    assert ("Rectification office", None) in extracted  # an _l() string in Python


@pytest.mark.parametrize("language", config.LANGUAGES)
def test_each_language_has_its_catalog_where_flask_babel_looks(language):
    """Babel calls zh_CN zh_Hans_CN; a catalog in a folder named zh_CN is never loaded."""
    assert (catalog_dir(language) / "messages.po").is_file()


@pytest.mark.parametrize("language", config.LANGUAGES)
def test_no_entry_is_empty_or_fuzzy(language):
    catalog = read_catalog(language)
    empty = [m.id for m in catalog if m.id and not all(s.strip() for s in strings(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not empty, f"{language}: untranslated entries: {empty}"
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("language", config.LANGUAGES)
def test_every_source_string_is_in_the_catalog(language, extracted):
    catalog = read_catalog(language)
    missing = sorted(
        f"{msgid!r} ({where})"
        for (msgid, context), where in extracted.items()
        if catalog.get(msgid, context) is None
    )
    assert not missing, (
        f"{language}: {len(missing)} strings missing; run `make translations` "
        "and translate them:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", config.LANGUAGES)
def test_placeholders_are_kept(language):
    wrong = []
    for message in read_catalog(language):
        if not message.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids(message)))
        for translated in strings(message):
            if translated and set(PLACEHOLDER.findall(translated)) != expected:
                wrong.append(f"{ids(message)[0]!r} -> {translated!r}")
    assert not wrong, f"{language}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", config.LANGUAGES)
def test_the_catalog_passes_the_checks_of_pybabel_compile(language):
    """A msgstr that does not fit its msgid's format makes `pybabel compile` fail."""
    problems = [
        f"{message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in read_catalog(language).check()
    ]
    assert not problems, f"{language}:\n" + "\n".join(problems)
