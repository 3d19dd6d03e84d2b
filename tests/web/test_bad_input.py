"""Bad input on every form: the form again (400) with the message, nothing stored, never a 500.

Each test sends every bad value of one field and reports all the values that
were not refused as they should be. Pages are in English here so that the
messages can be read in the assertions.
"""

from __future__ import annotations

import html as html_lib
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from tests.access import HOSTILE_SCRIPT, HOSTILE_SQL, html_routes, path_for, stored_counts
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.models import Unit, User
from tracker.services import org_import, settings


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()  # leave the field out of the form

REQUIRED = "required"
TOO_LONG = "longer than"
NOT_ALLOWED = "not allowed"
CONTROL = ["a\x00b", "a\x07b", "\x1b[31m"]

# A case: (value, the field marked invalid, a fragment of its message or None for any).


def marked(field: str, values, fragment: str | None = None) -> list:
    return [(value, field, fragment) for value in values]


UNIT_FORM_BASE = {"name": "新建单位", "kind": "school", "peer_group": "primary_schools",
                  "liaison_unit_id": "0", "head_user_id": "0", "leader_user_id": "0"}
UNIT_FORM = {
    "name": [*marked("name", [MISSING, "", "   "], REQUIRED),
             ("x" * 101, "name", TOO_LONG), *marked("name", CONTROL, NOT_ALLOWED)],
    "kind": marked("kind", [MISSING, "castle", "School", HOSTILE_SCRIPT]),
    "peer_group": [("x" * 51, "peer_group", TOO_LONG),
                   *marked("peer_group", CONTROL, NOT_ALLOWED)],
    "liaison_unit_id": marked("liaison_unit_id", ["abc", "999999", "-1", "1.5", HOSTILE_SCRIPT,
                                                  "{school}"]),
    "head_user_id": marked("head_user_id", ["abc", "999999", "{inactive}"]),
    "leader_user_id": marked("leader_user_id", ["abc", "999999", "{office}"]),
}

USER_FORM_BASE = {"username": "new.user", "display_name": "新用户", "role": "office",
                  "unit_id": "0", "password": "Long-enough-1"}
USER_CREATE = {
    "username": [*marked("username", [MISSING, ""], REQUIRED),
                 ("x" * 51, "username", TOO_LONG),
                 *marked("username", ["ab", HOSTILE_SCRIPT, HOSTILE_SQL, "a\x00bc", "名字字",
                                      "a b c"], "letters, digits"),
                 ("{admin}", "username", "taken")],
    "display_name": [*marked("display_name", [MISSING, ""], REQUIRED),
                     ("x" * 101, "display_name", TOO_LONG),
                     *marked("display_name", CONTROL, NOT_ALLOWED)],
    "role": marked("role", [MISSING, "root", HOSTILE_SCRIPT]),
    "unit_id": marked("unit_id", ["abc", "999999", "{archived}"]),
    "password": [*marked("password", [MISSING, ""], REQUIRED),
                 ("short", "password", "At least 8"), ("x" * 129, "password", TOO_LONG),
                 *marked("password", ["Long-enough\x00", "Long-enough\x07"], NOT_ALLOWED)],
}
USER_EDIT_BASE = {"display_name": "原名", "role": "unit_member", "unit_id": "{school}"}
USER_EDIT = {
    "display_name": [*marked("display_name", [MISSING, ""], REQUIRED),
                     ("x" * 101, "display_name", TOO_LONG),
                     *marked("display_name", CONTROL, NOT_ALLOWED)],
    "role": marked("role", [MISSING, "root"]),
    "unit_id": [*marked("unit_id", ["abc", "999999"]), ("0", "unit_id", "belong to a unit")],
}
RESET = {"reset-password": [*marked("reset-password", [MISSING, ""], REQUIRED),
                            ("short", "reset-password", "At least 8"),
                            ("x" * 129, "reset-password", TOO_LONG),
                            *marked("reset-password", ["Long-enough\x00", "Long-enough\x07"],
                                    NOT_ALLOWED)]}
OWN_PASSWORD_BASE = {"current_password": PASSWORD, "new_password": "Another-pass-2",
                     "confirm": "Another-pass-2"}
OWN_PASSWORD = {
    "current_password": [(MISSING, "current_password", REQUIRED),
                         ("Wrong-pass-1", "current_password", "not correct"),
                         ("x" * 1000, "current_password", "not correct")],
    "new_password": [(MISSING, "new_password", REQUIRED), ("short", "new_password", "At least 8"),
                     ("x" * 129, "new_password", TOO_LONG),
                     *marked("new_password", ["Another\x00pass", "Another\x07pass"], NOT_ALLOWED)],
    "confirm": [(MISSING, "confirm", REQUIRED), ("Different-pass-3", "confirm", "differ")],
}
SETTINGS = {
    "auth.max_failed_logins": [
        *marked("auth.max_failed_logins", [MISSING, "", "  "], REQUIRED),
        *marked("auth.max_failed_logins", ["abc", "5.5", "1e3", HOSTILE_SCRIPT, "9" * 5000,
                                           "5\x00"], "whole number"),
        ("0", "auth.max_failed_logins", "At least"), ("51", "auth.max_failed_logins", "At most")],
    "complaints.weight_response": [
        *marked("complaints.weight_response", ["abc", "1,5"], "number"),
        *marked("complaints.weight_response", ["nan", "NaN", "-nan", "inf", "1e400"], "number"),
        ("1.5", "complaints.weight_response", "At most"),
        ("-0.1", "complaints.weight_response", "At least")],
    "complaints.extra_holidays": marked("complaints.extra_holidays", [
        "2026-02-30", "tomorrow", HOSTILE_SCRIPT, "2026-01-01\x00"], "not a date"),
    "ratings.dimensions": [("", "ratings.dimensions", REQUIRED),
                           *marked("ratings.dimensions", ["x" * 51, "a\x07b", "a\x00b"],
                                   "printable")],
}
LOGIN = {
    "username": [*marked("username", [MISSING, ""], REQUIRED),
                 ("x" * 51, "username", TOO_LONG),
                 *marked("password", ["a\x00b", "a\x07b", HOSTILE_SCRIPT, HOSTILE_SQL, "nobody"],
                         "Wrong username")],
    "password": [*marked("password", [MISSING, ""], REQUIRED), ("x" * 129, "password", TOO_LONG),
                 *marked("password", ["wrong", "a\x00b"], "Wrong username")],
}


# Reading the page ------------------------------------------------------------


def field_error(page: str, name: str) -> str | None:
    """Return the message shown for field ``name``, '' if marked without one, None if not marked."""
    for match in re.finditer(r"<(?:input|select|textarea)\b[^>]*>", page):
        tag = match.group(0)
        if f'name="{name}"' in tag and "is-invalid" in tag:
            after = page[match.end():match.end() + 3000]
            feedback = re.search(r'<div class="invalid-feedback[^"]*">(.*?)</div>', after, re.S)
            return html_lib.unescape(feedback.group(1)).strip() if feedback else ""
    return None


def refusal_problem(response, field: str, fragment: str | None) -> str | None:
    """Return what is wrong with the page answering bad input for ``field``, or None."""
    page = response.get_data(as_text=True)
    if response.status_code != 400:
        return f"status {response.status_code}"
    if "<form" not in page or response.mimetype != "text/html":
        return "not the form again"
    if HOSTILE_SCRIPT in page:
        return "the hostile value is in the page unescaped"
    message = field_error(page, field)
    if message is None:
        return f"{field} not marked invalid"
    if not message:
        return f"{field} marked without a message"
    if fragment and fragment.lower() not in message.lower():
        return f"message {message!r} lacks {fragment!r}"
    return None


def send_each(client, path: str, base: dict, field: str, cases,
              placeholders: dict | None = None, same_for: tuple[str, ...] = ()) -> list:
    """POST ``base`` with ``field`` set to each case's value; return the cases refused wrongly.

    A case is (value, the field marked invalid, a fragment of its message).
    ``same_for`` names fields given the same value (a password's confirmation).
    After every request nothing may have been stored.
    """
    wrong = []
    before = stored_counts()
    for value, marked_field, fragment in cases:
        if isinstance(value, str) and value.startswith("{") and placeholders:
            value = value.format(**placeholders)
        data = dict(base)
        for name in (field, *same_for):
            data[name] = value
        data = {k: v for k, v in data.items() if v is not MISSING}
        response = client.post(path, data=data)
        problem = refusal_problem(response, marked_field, fragment)
        if problem is None and stored_counts() != before:
            problem = f"stored something: {stored_counts()} != {before}"
        if problem:
            wrong.append((field, repr(value)[:40], problem))
    return wrong


def english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.fixture
def admin(client, make):
    user = make.user("admin")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    english(client)
    return user


@pytest.fixture
def refs(make, admin):
    """Rows the bad values refer to: a school, an office user, an inactive one, an archived unit."""
    school, office, inactive, archived = make.unit(), make.user("office"), make.user("leader"), make.unit()
    inactive.is_active = False
    archived.is_archived = True
    db.session.commit()
    return {"school": school.id, "office": office.id, "inactive": inactive.id,
            "archived": archived.id, "admin": admin.username}


# Units -----------------------------------------------------------------------


@pytest.mark.parametrize("field", UNIT_FORM)
def test_new_unit_form_refuses(client, refs, field):
    assert send_each(client, "/admin/units/new", UNIT_FORM_BASE, field, UNIT_FORM[field],
                     refs) == []


def present(cases) -> list:
    """Leave out the cases of a missing field: an edit form keeps what it is not sent."""
    return [case for case in cases if case[0] is not MISSING]


@pytest.mark.parametrize("field", UNIT_FORM)
def test_unit_edit_form_refuses_and_changes_nothing(client, refs, make, field):
    unit = make.unit(name="原名单位")
    base = {**UNIT_FORM_BASE, "name": "改名单位"}
    assert send_each(client, f"/admin/units/{unit.id}/edit", base, field,
                     present(UNIT_FORM[field]), refs) == []
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).name == "原名单位"


def test_an_edit_form_keeps_the_fields_it_is_not_sent(client, admin, make):
    """WTForms fills an edit form from the record: a field left out is unchanged.

    Browsers always send every field; only a hand-made request leaves one out.
    """
    unit = make.unit(name="原名单位", kind="school")
    response = client.post(f"/admin/units/{unit.id}/edit", data={"name": "改名单位"})
    assert response.status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert (unit.name, unit.kind, unit.peer_group) == ("改名单位", "school", "primary_schools")


def test_unit_names_are_unique(client, admin, make):
    make.unit(name="已有单位")
    assert send_each(client, "/admin/units/new", UNIT_FORM_BASE, "name", [
        ("已有单位", "name", "already exists"), ("  已有单位  ", "name", "already exists")]) == []


# Users -----------------------------------------------------------------------


@pytest.mark.parametrize("field", USER_CREATE)
def test_new_user_form_refuses(client, refs, field):
    assert send_each(client, "/admin/users/new", USER_FORM_BASE, field, USER_CREATE[field],
                     refs) == []


def test_new_user_of_a_unit_role_needs_a_unit(client, admin):
    base = {**USER_FORM_BASE, "role": "unit_head"}
    assert send_each(client, "/admin/users/new", base, "unit_id", [
        ("0", "unit_id", "belong to a unit")]) == []


@pytest.mark.parametrize("field", USER_EDIT)
def test_user_edit_form_refuses_and_changes_nothing(client, refs, make, field):
    target = make.user("unit_member", display_name="原名")
    base = {**USER_EDIT_BASE, "display_name": "新名", "unit_id": str(refs["school"])}
    assert send_each(client, f"/admin/users/{target.id}/edit", base, field,
                     present(USER_EDIT[field]), refs) == []
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert (target.display_name, target.role) == ("原名", "unit_member")


def test_password_reset_refuses_and_keeps_the_password(client, admin, make):
    target = make.user("office")
    old_hash = target.password_hash
    assert send_each(client, f"/admin/users/{target.id}/password", {}, "reset-password",
                     RESET["reset-password"]) == []
    db.session.expire_all()
    assert db.session.get(User, target.id).password_hash == old_hash


# One's own password ----------------------------------------------------------


@pytest.mark.parametrize("field", OWN_PASSWORD)
def test_own_password_change_refuses_and_keeps_the_password(client, make, login, field):
    user = make.user("unit_member")
    login(user)
    english(client)
    same_for = ("confirm",) if field == "new_password" else ()
    assert send_each(client, "/account/password", OWN_PASSWORD_BASE, field, OWN_PASSWORD[field],
                     same_for=same_for) == []
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash


# Settings --------------------------------------------------------------------


def settings_form() -> dict[str, str]:
    return {d.key: settings.to_text(d, d.default) for d in settings.DEFINITIONS}


@pytest.mark.parametrize("field", SETTINGS)
def test_settings_page_refuses_and_changes_nothing(client, admin, field):
    before = settings.values()
    assert send_each(client, "/admin/settings", settings_form(), field, SETTINGS[field]) == []
    assert settings.values() == before


def test_settings_page_stores_nothing_for_an_unknown_key(client, admin):
    before = stored_counts()
    response = client.post("/admin/settings", data={**settings_form(), "evil.key": "1"})
    assert response.status_code == 302  # nothing changed, nothing unknown stored
    assert stored_counts() == before


# Log-in ----------------------------------------------------------------------


@pytest.mark.parametrize("field", LOGIN)
def test_login_refuses(client, make, field):
    user = make.user("office")
    english(client)
    base = {"username": user.username, "password": PASSWORD}
    assert send_each(client, "/login", base, field, LOGIN[field]) == []


# Organisation import ---------------------------------------------------------


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def not_a_workbook_zip() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    buffer.seek(0)
    return buffer


UNIT_ROW_OK = ["导入小学", "学校", "小学", None, None]
UPLOADS = [  # (label, form data, the message fragment)
    ("no file", {}, "Choose a file"),
    ("text instead of a file", {"file": "units.xlsx"}, "Choose a file"),
    ("empty file name", {"file": (io.BytesIO(b"x"), "")}, "Choose a file"),
    ("a .txt", {"file": (io.BytesIO(b"name\n"), "units.txt")}, ".xlsx"),
    ("a .xlsx.exe", {"file": (io.BytesIO(b"MZ"), "units.xlsx.exe")}, ".xlsx"),
    ("bytes named .xlsx", {"file": (io.BytesIO(b"not a zip"), "units.xlsx")}, "not an .xlsx"),
    ("a zip named .xlsx", {"file": (not_a_workbook_zip(), "units.xlsx")}, "not an .xlsx"),
    ("no known sheet", {"file": (workbook({"Sheet": [["a"]]}), "units.xlsx")}, "no rows"),
    ("headers missing", {"file": (workbook({org_import.UNIT_SHEET: [["单位名称"], ["x"]]}),
                                  "units.xlsx")}, "lacks the columns"),
]


@pytest.mark.parametrize(("label", "data", "fragment"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_import_refuses_what_is_not_the_template(client, admin, label, data, fragment):
    before = stored_counts()
    response = client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert refusal_problem(response, "file", fragment) is None, (
        refusal_problem(response, "file", fragment), field_error(response.get_data(as_text=True),
                                                                 "file"))
    assert stored_counts() == before


def test_import_with_bad_rows_lists_them_and_imports_nothing(client, admin, make):
    make.unit(name="已有单位")
    units = [list(org_import.UNIT_HEADERS), UNIT_ROW_OK,  # a good row, not imported either
             ["x" * 101, "学校", None, None, None],
             ["已有单位", "学校", None, None, None],
             [HOSTILE_SCRIPT, "城堡", None, "不存在的股室", "nobody"],
             [HOSTILE_SQL, 123, None, None, None]]
    users = [list(org_import.USER_HEADERS),
             [HOSTILE_SCRIPT, "张三", "单位负责人", "导入小学", "Long-enough-1"],
             ["ok.user", "x" * 101, "皇帝", HOSTILE_SCRIPT, "short"],
             ["ok.user2", "李四", "单位负责人", None, "Long-enough-1"]]
    before = stored_counts()
    response = client.post("/admin/import", content_type="multipart/form-data", data={
        "file": (workbook({org_import.UNIT_SHEET: units, org_import.USER_SHEET: users}),
                 "org.xlsx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-testid="import-problems"' in page
    assert HOSTILE_SCRIPT not in page and html_lib.escape(HOSTILE_SCRIPT) in page
    problems = re.findall(r"<tr><td>(单位|用户)</td><td>(\d+)</td>", page)
    assert {("单位", "3"), ("单位", "4"), ("单位", "5"), ("用户", "2"), ("用户", "3"),
            ("用户", "4")} <= set(problems)
    assert ("单位", "6") in problems and ("单位", "2") not in problems  # row 2 is valid
    assert stored_counts() == before


@pytest.fixture
def small_uploads(app_config):
    app_config["MAX_CONTENT_LENGTH"] = 4096


def test_an_upload_too_large_is_413_not_500(small_uploads, client, admin):
    response = client.post("/admin/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"x" * 10_000), "big.xlsx")})
    assert response.status_code == 413
    assert response.mimetype == "text/html"


# Hostile text where text is legitimate: stored as given, shown escaped -------


def test_a_script_in_names_is_stored_verbatim_and_shown_escaped(client, admin, make, login):
    response = client.post("/admin/units/new", data={**UNIT_FORM_BASE, "name": HOSTILE_SCRIPT})
    assert response.status_code == 302
    unit = db.session.scalar(db.select(Unit).where(Unit.name == HOSTILE_SCRIPT))
    response = client.post("/admin/users/new", data={
        **USER_FORM_BASE, "display_name": HOSTILE_SCRIPT, "role": "unit_head",
        "unit_id": str(unit.id)})
    assert response.status_code == 302
    client.post("/admin/settings", data={**settings_form(),
                                         "ratings.dimensions": f"精神状态\n{HOSTILE_SCRIPT}"})
    assert HOSTILE_SCRIPT in settings.get("ratings.dimensions")
    pages = ["/", "/admin/units", f"/admin/units/{unit.id}/edit", "/admin/users",
             "/admin/users/new", "/admin/audit", "/admin/settings",
             f"/admin/audit?object_type={HOSTILE_SCRIPT}", f"/admin/units?q={HOSTILE_SCRIPT}"]
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        assert HOSTILE_SCRIPT not in page, path
    for path in ("/admin/units", f"/admin/units/{unit.id}/edit", "/admin/users",
                 "/admin/settings"):
        assert html_lib.escape(HOSTILE_SCRIPT) in client.get(path).get_data(as_text=True), path
    # and the person named so sees their own name escaped in the header
    client.post("/logout")
    login(db.session.scalar(db.select(User).where(User.display_name == HOSTILE_SCRIPT)),
          USER_FORM_BASE["password"])
    page = client.get("/").get_data(as_text=True)
    assert HOSTILE_SCRIPT not in page and html_lib.escape(HOSTILE_SCRIPT) in page


def test_sql_in_a_name_is_just_text(client, admin):
    response = client.post("/admin/units/new", data={**UNIT_FORM_BASE, "name": HOSTILE_SQL})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Unit.name)) == HOSTILE_SQL
    assert HOSTILE_SQL in html_lib.unescape(client.get("/admin/units").get_data(as_text=True))


# Query strings: never a 500 --------------------------------------------------

QUERIES = ["/admin/units?q={v}", "/admin/units?peer_group={v}", "/admin/units?kind={v}",
           "/admin/units?page={v}", "/admin/users?q={v}", "/admin/users?role={v}",
           "/admin/users?unit_id={v}", "/admin/audit?object_type={v}", "/admin/audit?since={v}",
           "/admin/audit?user_id={v}", "/ledger?q={v}", "/ledger?status={v}", "/ledger?as_of={v}"]


@pytest.mark.parametrize("query", QUERIES)
def test_hostile_filters_are_harmless(client, admin, make, query):
    make.user("unit_head")
    wrong = []
    for value in (HOSTILE_SCRIPT, HOSTILE_SQL, "%00", "a%00b", "%07", "%25", "_", "-1",
                  "99999999999999999999", "2026-02-30", "x" * 500):
        response = client.get(query.format(v=value))
        page = response.get_data(as_text=True)
        if response.status_code != 200 or HOSTILE_SCRIPT in page:
            wrong.append((value[:20], response.status_code))
    assert wrong == []


# CSRF ------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_login_without_a_csrf_token_is_400(csrf_on, client, make):
    user = make.user("office")
    before = stored_counts()
    for extra in ({}, {"csrf_token": "forged"}):
        response = client.post("/login", data={"username": user.username,
                                               "password": PASSWORD, **extra})
        assert response.status_code == 400
        assert response.mimetype == "text/html"
    assert stored_counts() == before


def test_every_html_post_without_a_csrf_token_is_400(csrf_on, app, client, access_world):
    world = access_world
    admin = world.users["admin"]
    response = client.post("/login", data={"username": admin.username, "password": PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    posts = sorted(rule for method, rule in html_routes(app, all_methods=True)
                   if method == "POST")
    assert "/admin/units/new" in posts and "/login" in posts
    before = stored_counts()
    forms = {"/admin/units/new": UNIT_FORM_BASE, "/admin/users/new": USER_FORM_BASE,
             "/admin/settings": settings_form()}
    wrong = []
    for rule in posts:
        path = path_for(world, "web", "POST", rule)
        response = client.post(path, data=forms.get(rule, {"status": "closed", "active": "0"}))
        if response.status_code != 400:
            wrong.append((path, response.status_code))
    assert wrong == []
    assert stored_counts() == before
    # the same form with its token goes through: it was the token that was missing
    response = client.post("/admin/units/new", data={
        **UNIT_FORM_BASE, "csrf_token": csrf_token(client, "/admin/units/new")})
    assert response.status_code == 302


def test_the_api_needs_no_csrf_token(csrf_on, client, make, token):
    headers = token(make.user("admin"))
    response = client.post("/api/v1/units", headers=headers, json={"name": "甲", "kind": "school"})
    assert response.status_code == 201
