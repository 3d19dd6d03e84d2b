"""A bureau leader's day at a desk, from the numbers waiting on the home page: approve the
month's bulletin draft (a page says what approval does first), then decide a flag the office
has reviewed. Each number goes down to zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import accountability_data as data
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD
from tracker import clock
from tracker.extensions import db
from tracker.models import Flag
from tracker.services import accountability, bulletins

pytestmark = pytest.mark.browser


def test_a_leader_approves_the_bulletin_and_decides_a_flag(new_page, make, problems):
    today = clock.today()
    leader = make.user("leader", display_name="王东书")
    office = make.user("office")
    school = make.unit(name="西街小学", leader_user_id=leader.id)
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", last_month)
    flag = Flag(
        rule="long_overdue",
        unit_id=school.id,
        period=last_month,
        evidence={},
        proposed_action="accountability",
        status="raised",
        raised_at=data.NOW,
    )
    db.session.add(flag)
    db.session.flush()
    accountability.review(make.actor(office), flag, "任务逾期超过30天，证据属实")
    db.session.commit()
    bulletin_id, flag_id = bulletin.id, flag.id

    page = new_page()
    page.goto("/login")
    submit_login(page, leader.username, PASSWORD)
    expect(page.get_by_test_id("home-approvals-approve")).to_have_attribute("data-count", "1")
    expect(page.get_by_test_id("home-approvals-decide")).to_have_attribute("data-count", "1")
    expect(page.get_by_test_id("home-rankings-ratings")).to_be_visible()

    # the bulletin: read it, approve it on the page that says what approval does
    with page.expect_navigation():
        page.get_by_test_id("home-approvals-approve").click()
    with page.expect_navigation():
        page.locator(f"main a[href$='/bulletins/{bulletin_id}']").first.click()
    expect(page.get_by_test_id("bulletin-number")).to_contain_text("草稿")
    with page.expect_navigation():
        page.get_by_test_id("bulletin-approve").click()
    expect(page.get_by_test_id("confirm-approve")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("confirm-approve").click()
    expect(page.get_by_test_id("bulletin-number")).to_contain_text("已审核，待发布")
    expect(page.get_by_test_id("bulletin-approve")).to_have_count(0)
    with page.expect_navigation():
        page.locator("a.navbar-brand").click()
    expect(page.get_by_test_id("home-approvals-approve")).to_have_attribute("data-count", "0")

    # the flag: the office's opinion is shown; the decision starts on the proposed action
    with page.expect_navigation():
        page.get_by_test_id("home-approvals-decide").click()
    register = page.locator("table.flag-register")
    expect(register.locator("tbody tr")).to_have_count(1)
    with page.expect_navigation():
        register.locator("tbody tr").filter(has_text="西街小学").locator("a").first.click()
    expect(page.locator("#flag-opinion")).to_contain_text("任务逾期超过30天，证据属实")
    expect(page.locator("#action")).to_have_value("accountability")
    with page.expect_navigation():
        page.locator("#decide").click()
    expect(page.get_by_test_id("confirm-consequences")).to_contain_text("西街小学")
    page.locator("#reasons").fill("任务长期逾期，按规定启动问责")
    with page.expect_navigation():
        page.get_by_test_id("confirm-decide").click()
    expect(page.locator("#flag-status .flag-status-decided")).to_be_visible()
    expect(page.locator("#flag-decision")).to_contain_text("王东书")
    with page.expect_navigation():
        page.locator("a.navbar-brand").click()
    expect(page.get_by_test_id("home-approvals-decide")).to_have_attribute("data-count", "0")
    db.session.expire_all()
    assert db.session.get(Flag, flag_id).status == "decided"
    assert problems.items == []
