"""On a 390×844 phone, the lists a unit head and the public read are cards that fit the screen.

Each page, loaded with the demo bureau's history, must: not scroll sideways; give every
visible link and button of the content a finger's height (44 px); never wrap a label one
character per line; and draw no chart text smaller than 11 px.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE
from tests.browser.test_login_flow import submit_login
from tracker import clock, demo
from tracker.extensions import db
from tracker.models import Bulletin, Complaint, User
from tracker.services.audit import Actor

pytestmark = pytest.mark.browser

# What the page breaks, in words: [] when it is fit for a phone.
PHONE_CHECK = """
() => {
  const problems = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
  }
  const shown = (el) => {
    if (el.closest('.visually-hidden, .visually-hidden-focusable')) return false;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
  };
  const name = (el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`;
  for (const el of document.querySelectorAll('main a, main button, main .btn, main summary, main .page-link')) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 44 - 0.5) problems.push(`${name(el)} is ${box.height.toFixed(1)} px tall`);
    if (box.right > window.innerWidth + 0.5) problems.push(`${name(el)} leaves the screen`);
  }
  // the lines a text is drawn on: the middles of its text's line boxes, a few pixels apart
  const lines = (el) => {
    const middles = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.parentElement.closest('.visually-hidden')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0) middles.push(rect.top + rect.height / 2);
      }
    }
    middles.sort((x, y) => x - y);
    return middles.filter((y, i) => i === 0 || y - middles[i - 1] > 4).length;
  };
  for (const el of document.querySelectorAll('main .btn, main button, main th, main td, main .badge, main h1, main h2, main label, main a')) {
    if (!shown(el)) continue;
    const text = el.textContent.replace(/\\s+/g, '');
    const count = lines(el);
    if (text.length >= 2 && count >= 2 && count >= text.length) {
      problems.push(`${name(el)} wraps one character per line (${count} lines)`);
    }
    if (el.matches('.btn, button') && count > 2) {
      problems.push(`${name(el)} takes ${count} lines`);
    }
  }
  for (const svg of document.querySelectorAll('main svg.chart')) {
    if (!shown(svg) || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) continue;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 11) { problems.push(`chart text "${text.textContent}" is ${size.toFixed(1)} px`); break; }
    }
  }
  return problems;
}
"""


def phone_problems(page) -> str:
    """The problems of the page shown, one a line ("" when none)."""
    return "\n".join(page.evaluate(PHONE_CHECK))


@pytest.fixture
def bureau(app):
    """The demo bureau with a history in every area (the lists have rows to show)."""
    now = clock.now()
    demo.load_all(Actor(None, "cli", now), now.astimezone(clock.zone()).date())
    db.session.commit()
    head = db.session.scalar(select(User).where(User.username == "yz.head"))
    return head.username


UNIT_HEAD_PAGES = [
    ("/complaints/", "complaint-table"),
    ("/ledger", "ledger-table"),
    ("/my-tasks", None),
    ("/notices/", "notice-list"),
    ("/accountability/", None),
    ("/supervision/mine", None),
]


def test_unit_head_lists_fit_a_phone(new_page, bureau, problems):
    phone = new_page(viewport=PHONE)
    phone.goto("/login")
    submit_login(phone, bureau, demo.PASSWORD)
    for path, testid in UNIT_HEAD_PAGES:
        response = phone.goto(path)
        assert response.status == 200, path
        if testid:
            assert phone.get_by_test_id(testid).count() == 1, path
        assert phone_problems(phone) == "", path
    # a row is a card: the title on a line of its own, the facts labelled, a full-width button
    phone.goto("/ledger")
    card = phone.locator("[data-testid=ledger-table] tbody tr").first
    title, button = card.locator("td.cell-title"), card.locator("td.cell-action .btn")
    assert title.bounding_box()["y"] < button.bounding_box()["y"]
    assert button.bounding_box()["width"] > PHONE["width"] * 0.7
    assert phone.locator("[data-testid=ledger-table] thead").bounding_box()["height"] <= 1
    assert problems.items == []


def test_public_lists_and_bulletin_fit_a_phone(new_page, bureau, problems):
    bulletin_id = db.session.scalar(select(Bulletin.id).where(Bulletin.status == "published")
                                    .order_by(Bulletin.id.desc()))
    assert bulletin_id is not None and db.session.scalar(
        select(Complaint.id).where(Complaint.is_published)) is not None
    phone = new_page(viewport=PHONE)
    for path in ("/", "/public/complaints", "/public/bulletins", f"/public/bulletins/{bulletin_id}",
                 "/public/vote", "/public/ratings"):
        response = phone.goto(path)
        assert response.status == 200, path
        assert phone_problems(phone) == "", path
    assert problems.items == []


def test_tables_stay_tables_on_a_desktop(new_page, bureau):
    desk = new_page()
    desk.goto("/login")
    submit_login(desk, bureau, demo.PASSWORD)
    desk.goto("/ledger")
    assert desk.locator("[data-testid=ledger-table] thead").bounding_box()["height"] > 20
    assert not desk.locator("[data-testid=ledger-table] td.cell-action").first.is_visible()
