"""Random values posted to the HTML forms never make a server error.

For a representative set of forms — filing a complaint, a task, issuing a
notice, a rating round, logging in — the test reads the form's fields from
its page (inputs, selects with their options, text areas) and Hypothesis
posts values drawn for each: a real option, nothing, text of any kind
(control characters, markup, very long), numbers (negative, huge, not a
number), dates real and impossible, or the field left out. Every answer must
be below 500. ``TRACKER_FUZZ_EXAMPLES`` sets the examples per form (default
25), ``TRACKER_FUZZ_SEED`` a seed to draw other examples than the default ones.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tracker import clock

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("TRACKER_FUZZ_SEED")
NOTHING = object()  # the field is left out of the post


@dataclass
class Field:
    kind: str  # the input's type, "textarea", "select" or "multiple"
    options: list[str] = field(default_factory=list)  # a select's options, a checkbox group's values
    value: list[str] = field(default_factory=list)  # what the page fills in: value, text, selected, checked


class FormFields(HTMLParser):
    """The named fields of each POST form of a page, with the values the page fills in."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, Field]] = {}  # action → fields
        self.fields: dict[str, Field] = {}
        self._form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._form = (attrs.get("method") or "get").lower() == "post"
            self.fields = self.forms.setdefault(attrs.get("action") or "", {})
        elif not self._form or (tag != "option" and not name):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "reset"):
                return
            item = self.fields.setdefault(name, Field(kind))
            if kind in ("checkbox", "radio"):
                item.options.append(attrs.get("value", "y"))
                if "checked" in attrs:
                    item.value.append(attrs.get("value", "y"))
            elif attrs.get("value"):
                item.value.append(attrs["value"])
        elif tag == "textarea":
            self.fields[name] = Field("textarea")
            self._textarea = name
        elif tag == "select":
            self._select = name
            self.fields[name] = Field("multiple" if "multiple" in attrs else "select")
        elif tag == "option" and self._select is not None:
            self.fields[self._select].options.append(attrs.get("value", ""))
            if "selected" in attrs:
                self.fields[self._select].value.append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea is not None and data.strip():
            self.fields[self._textarea].value.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def fields_of(page: str, url: str) -> dict[str, Field]:
    """The fields of the page's form that posts to ``url`` (its own address)."""
    parser = FormFields()
    parser.feed(page)
    fields = dict(parser.forms.get(url) or parser.forms.get("") or {})
    fields.pop("csrf_token", None)
    fields.pop("website", None)  # the complaint form's honeypot: filled, nothing is stored
    return fields


def baseline(fields: dict[str, Field], known: dict[str, object], today) -> dict[str, object]:
    """A submission the form accepts: the page's own values, ``known`` ones, else a plausible value."""
    values: dict[str, object] = {}
    for name, item in fields.items():
        if name in known:
            values[name] = known[name]
        elif item.kind in ("checkbox", "multiple"):
            values[name] = item.value or item.options[:2]
        elif item.value:
            values[name] = item.value[0]
        elif item.kind == "select":
            values[name] = next((option for option in item.options if option not in ("", "0")), "")
        elif item.kind == "date":
            values[name] = today.isoformat()
        elif item.kind == "number":
            values[name] = "1"
        else:
            values[name] = ""
    return values


NASTY = st.sampled_from([
    "", " ", "0", "-1", "1e309", "NaN", "inf", "99999999999999999999999", "2147483648", "3.5",
    "2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "0000-00-00", "<script>alert(1)</script>",
    "'; DROP TABLE units; --", "\x00", "a\x00b", "\x07", "\u202e", "𠀀𠀀", "%s%n", "{{7*7}}", "=1+1",
    "2026-10-15 30% 完成摸底", "2026-10-15 300%", "x" * 5000,
])


def value_for(item: Field):
    """Anything a client may send in place of the field's value, or the field left out."""
    choices = [st.just(NOTHING), NASTY, st.text(max_size=60)]
    if item.options:
        choices.append(st.sampled_from(item.options))
    if item.kind == "date":
        choices.append(st.dates().map(lambda day: day.isoformat()))
    if item.kind == "number":
        choices.append(st.one_of(st.integers(), st.floats(allow_nan=True)).map(str))
    if item.kind in ("checkbox", "multiple"):
        return st.one_of(st.just(NOTHING), st.lists(st.one_of(*choices[1:]), max_size=4))
    if item.kind == "file":
        return st.one_of(st.just(NOTHING), st.binary(max_size=300).map(
            lambda data: (io.BytesIO(data), "证据.pdf")))
    return st.one_of(*choices)


def submissions(fields: dict[str, Field], valid: dict[str, object]):
    """The valid submission with up to three of its fields replaced by anything."""
    names = sorted(fields)
    return st.sets(st.sampled_from(names), max_size=3).flatmap(
        lambda changed: st.fixed_dictionaries({name: value_for(fields[name]) for name in changed}).map(
            lambda replaced: {**valid, **replaced}))


def post_form(client, url: str, data: dict) -> int:
    sent = {name: value for name, value in data.items() if value is not NOTHING}
    multipart = any(isinstance(value, tuple) for value in sent.values())
    response = client.post(url, data=sent, content_type="multipart/form-data" if multipart else None)
    return response.status_code


@pytest.fixture(scope="module")
def clients(fuzz_world):
    """A client per acting role, logged in through the log-in form."""
    app = fuzz_world.app
    made = {"anonymous": app.test_client()}
    for role in ("office",):
        client = app.test_client()
        response = client.post("/login", data={"username": fuzz_world.usernames[role],
                                               "password": fuzz_world.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        made[role] = client
    return made


def known_values(fuzz_world, today) -> dict[str, dict[str, object]]:
    """What each form needs beyond what its page fills in, to be accepted."""
    return {
        "/public/complaints/new": {"description": "老师在校外有偿补课", "unit_id": str(fuzz_world.ids["unit_id"][0])},
        "/plans/{plan_id}/tasks/new": {"title": "开展师德专题培训", "standard": "完成培训并提交总结",
                                       "owner_unit_id": str(fuzz_world.ids["unit_id"][0]),  # no default unit
                                       "starts_on": today.isoformat(),
                                       "due_on": (today + timedelta(days=30)).isoformat(),
                                       "milestones": f"{(today + timedelta(days=10)).isoformat()} 30% 摸底"},
        "/notices/new": {"problems": "上班时间脱岗", "requirements": "限期整改并报告",
                         "source_type": "inspection", "source_id": "", "unit_id": str(fuzz_world.ids["unit_id"][0]),
                         "due_on": (today + timedelta(days=14)).isoformat()},
        "/ratings/new": {"title": "年度作风评议", "period": f"{today.year}-H2"},
        "/login": {"username": fuzz_world.usernames["unit_member"], "password": fuzz_world.password},
    }


FORMS = [
    ("anonymous", "/public/complaints/new"),
    ("office", "/plans/{plan_id}/tasks/new"),
    ("office", "/notices/new"),
    ("office", "/ratings/new"),
    ("anonymous", "/login"),
]


@pytest.mark.parametrize(("role", "url"), FORMS, ids=[url for _role, url in FORMS])
def test_random_values_never_make_a_server_error(fuzz_world, clients, role, url):
    client = clients[role]
    with fuzz_world.app.app_context():
        today = clock.today()
    known = known_values(fuzz_world, today)[url]
    url = url.format(plan_id=fuzz_world.ids["plan_id"][0])
    page = client.get(url)
    assert page.status_code == 200
    fields = fields_of(page.get_data(as_text=True), url)
    assert fields, f"{url}: no fields found"
    valid = baseline(fields, known, today)
    if url != "/login":  # a log-in would sign the anonymous client in
        assert post_form(client, url, valid) in (200, 302), f"{url}: the baseline is not accepted"

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=submissions(fields, valid))
    def fuzz(data):
        status = post_form(client, url, data)
        assert status < 500, (url, {k: v for k, v in data.items() if v is not NOTHING})
        if url == "/login" and status == 302:
            client.post("/logout")

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()
