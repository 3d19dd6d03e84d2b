"""Every closed vocabulary is one enum whose members carry a label in both languages.

No database: a bare Flask app reads catalogs compiled from the current .po files
(so a stale or missing .mo cannot hide a gap).
"""

from __future__ import annotations

import re

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel, force_locale
from sqlalchemy import CheckConstraint

import tracker.models  # noqa: F401  (every enum defined)
from tests.services.test_translations import read_catalog
from tracker import config
from tracker.models import Base, Choice

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHOICES = sorted(Choice.__subclasses__(), key=lambda choice: choice.__name__)
MEMBERS = [pytest.param(member, id=f"{choice.__name__}.{member.name}")
           for choice in CHOICES for member in choice]


@pytest.fixture(scope="module")
def catalogs():
    return {language: read_catalog(language) for language in config.LANGUAGES}


@pytest.fixture(scope="module")
def app(tmp_path_factory, catalogs):
    """A bare app reading catalogs compiled now (`pybabel compile`) from the .po files."""
    folder = tmp_path_factory.mktemp("translations")
    for language, catalog in catalogs.items():
        target = folder / str(Locale.parse(language)) / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    Babel(app)
    return app


def test_there_are_enums():
    names = {choice.__name__ for choice in CHOICES}
    assert {"UnitKind", "Role", "PeerGroup", "ComplaintStatus", "ComplaintCategory", "NoticeStatus",
            "FlagRule", "FlagStatus", "FlagAction", "BulletinKind", "RatingRoundStatus", "BallotValue",
            "AssessmentTheme", "PlanStatus", "Heading", "Recurrence", "TaskStatus", "TaskLight",
            "FindingKind"} <= names


def test_every_closed_vocabulary_of_the_database_is_an_enums_codes():
    """Each ``CHECK (column IN (…))`` lists the codes of an enum, in its order (or the stored ones)."""
    checks = [constraint for table in Base.metadata.tables.values() for constraint in table.constraints
              if isinstance(constraint, CheckConstraint) and " IN (" in str(constraint.sqltext)]
    assert len(checks) > 20
    for constraint in checks:
        values = tuple(re.findall(r"'([^']*)'", str(constraint.sqltext)))
        assert any(values == tuple(code for code in choice.codes() if code in values)
                   for choice in CHOICES), f"{constraint.name}: {values} is no enum's"


@pytest.mark.parametrize("choice", CHOICES, ids=lambda choice: choice.__name__)
def test_codes_are_plain_unique_strings_in_declaration_order(choice):
    codes = choice.codes()
    assert codes and len(set(codes)) == len(codes)
    assert all(type(code) is str and code == member for code, member in zip(codes, choice, strict=True))
    assert list(choice.labels()) == list(codes)
    assert [code for code, _label in choice.choices()] == list(codes)


@pytest.mark.parametrize("member", MEMBERS)
def test_each_code_has_a_label_in_both_languages(app, catalogs, member):
    msgid = getattr(member.label, "_args", (None,))[0]
    assert msgid, f"{member!r}: the label is not a lazy gettext string"
    with app.app_context():
        for language in config.LANGUAGES:
            entry = catalogs[language].get(msgid)
            assert entry is not None and entry.string, f"{language}: no translation of {msgid!r}"
            with force_locale(language):
                shown = str(member.label)
            assert shown == entry.string
        with force_locale("zh_CN"):
            assert CHINESE.search(str(member.label)), f"{msgid!r} has no Chinese label"


@pytest.mark.parametrize("member", MEMBERS)
def test_a_chinese_term_is_chinese(member):
    assert member.zh is None or CHINESE.search(member.zh)
    if member.zh:
        assert type(member).by_zh(member.zh) is member
        assert type(member).zh_of(member.value) == member.zh


@pytest.mark.parametrize("choice", CHOICES, ids=lambda choice: choice.__name__)
def test_an_unknown_code_is_shown_as_itself(choice):
    first = next(iter(choice))
    assert choice.of(first.value) is first and choice.label_of(first.value) is first.label
    assert choice.of("no-such-code") is None and choice.of(None) is None and choice.of(3) is None
    assert choice.label_of("no-such-code") == "no-such-code"
    assert choice.label_of(None) == ""
    assert choice.zh_of("no-such-code") == "no-such-code"
    assert choice.by_zh("no-such-term") is None


def workflows():
    from tracker.models import ComplaintStatus, ComplaintStep, FlagStatus, FlagStep, NoticeStatus, NoticeStep
    from tracker.services import accountability, complaints, notices

    return [pytest.param(complaints.WORKFLOW, ComplaintStep, ComplaintStatus, id="complaints"),
            pytest.param(notices.WORKFLOW, NoticeStep, NoticeStatus, id="notices"),
            pytest.param(accountability.WORKFLOW, FlagStep, FlagStatus, id="flags")]


@pytest.mark.parametrize(("workflow", "steps", "statuses"), workflows())
def test_every_step_and_state_of_a_workflow_has_its_label(workflow, steps, statuses):
    assert set(workflow.steps) <= set(steps.codes())
    for step in workflow.steps.values():
        assert set(step.sources) | ({step.target} - {None}) <= set(statuses.codes())
