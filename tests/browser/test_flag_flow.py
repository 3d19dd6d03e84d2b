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
    desk.locator("#opinion").fill("两轮评议均排名靠后，证据属实")
    with desk.expect_navigation():
        desk.locator("#start-review").click()
    expect(desk.locator("#flag-status .flag-status-under_review")).to_be_visible()
    expect(desk.locator("#flag-opinion")).to_contain_text("两轮评议均排名靠后，证据属实")
    flag_url = desk.url
    desk.locator("#justification").fill("新任负责人到岗不足三个月")
    with desk.expect_navigation():
        desk.locator("#exempt").click()

    boss = new_page()
    boss.goto("/login")
    submit_login(boss, leader.username, PASSWORD)
    boss.goto(flag_url)
    with boss.expect_navigation():
        boss.locator("#reject-exemption").click()
    boss.locator("#reason").fill("到岗时间不是免责理由")
    with boss.expect_navigation():
        boss.get_by_test_id("confirm-reject_exemption").click()
    expect(boss.locator("#flag-exemption-rejection")).to_contain_text("到岗时间不是免责理由")
    boss.locator("#action").select_option("interview")
    with boss.expect_navigation():
        boss.locator("#decide").click()
    expect(boss.get_by_test_id("confirm-consequences")).to_contain_text("西街小学")
    boss.locator("#reasons").fill("连续两次评议排名靠后，约谈分管负责人")
    with boss.expect_navigation():
        boss.get_by_test_id("confirm-decide").click()
    expect(boss.locator("#flag-status .flag-status-decided")).to_be_visible()
    expect(boss.locator("#flag-decision")).to_contain_text("王东书")
    expect(boss.locator("#flag-history li")).to_have_count(5)
    boss.goto(f"/accountability/?status=decided&unit_id={bottom.id}")
    expect(boss.locator("table.flag-register tbody tr")).to_have_count(1)
    assert problems.items == []
