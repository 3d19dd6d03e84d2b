"""Two closed rating rounds with one school bottom in both: the office evaluates, reviews; a leader decides."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import accountability_data as data
from tests.browser.test_login_flow import submit_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_office_evaluates_reviews_and_a_leader_decides(new_page, make, problems):
    leader = make.user("leader", display_name="王东书")
    names = ["城关小学", "实验小学", "东关小学", "西街小学"]
    units = [make.unit(name=name, kind="school", peer_group="primary_schools",
                       leader_user_id=leader.id) for name in names]
    pairs = list(zip(units, [92.5, 88.0, 85.0, 61.25], strict=True))
    data.rating_round("2025-H2", data.rows_for(pairs))
    data.rating_round("2026-H1", data.rows_for(pairs))
    office = make.user("office")
    bottom = units[3]

    desk = new_page()
    desk.goto("/login")
    submit_login(desk, office.username, PASSWORD)
    desk.goto("/accountability/")
    with desk.expect_navigation():
        desk.locator("#evaluate-now").click()
    expect(desk.locator(".alert-success")).to_be_visible()
    register = desk.locator("table.flag-register")
    expect(register).to_contain_text("西街小学")
    expect(register).to_contain_text("2026-H1")
    with desk.expect_navigation():
        register.locator("tbody tr").filter(has_text="西街小学").locator("a").first.click()
    expect(desk.locator(".evidence").first).to_contain_text("61.25")
    with desk.expect_navigation():
        desk.locator("#start-review").click()
    expect(desk.locator("#flag-status .flag-status-under_review")).to_be_visible()
    flag_url = desk.url

    boss = new_page()
    boss.goto("/login")
    submit_login(boss, leader.username, PASSWORD)
    boss.goto(flag_url)
    boss.locator("#action").select_option("interview")
    boss.locator("#reasons").fill("连续两次评议排名靠后，约谈分管负责人")
    with boss.expect_navigation():
        boss.locator("#decide").click()
    expect(boss.locator("#flag-status .flag-status-decided")).to_be_visible()
    expect(boss.locator("#flag-decision")).to_contain_text("王东书")
    expect(boss.locator("#flag-history li")).to_have_count(3)
    boss.goto(f"/accountability/?status=decided&unit_id={bottom.id}")
    expect(boss.locator("table.flag-register tbody tr")).to_have_count(1)
    assert problems.items == []
