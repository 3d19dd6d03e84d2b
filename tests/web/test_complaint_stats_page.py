"""The complaint rates page at scale: a sorted, filtered, paged table and charts of each peer group's ends.

The figures are those of ``complaint_stats.stats``, untouched; the page only
chooses which rows to show and in what order; the .xlsx keeps every row.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g
from openpyxl import load_workbook

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import Unit
from tracker.models.complaints import Complaint
from tracker.services import complaint_stats

PERIOD = "2026-10"
GROUPS = ("primary_schools", "middle_schools", "kindergartens")


def stats_world(n_units: int) -> list[int]:
    """``n_units`` units over three peer groups, each with 4 to 8 complaints dispatched in October."""
    now = datetime(2026, 10, 1, tzinfo=UTC)
    known = db.session.scalar(db.select(db.func.count()).select_from(Unit))
    units = [Unit(name=f"规模单位{known + index:03d}", kind="school", peer_group=GROUPS[index % 3],
                  created_at=now) for index in range(n_units)]
    db.session.add_all(units)
    db.session.flush()
    rows = []
    for index, unit in enumerate(units):
        for case in range(4 + index % 5):  # 4 of them: listed, not ranked
            day = date(2026, 10, 1 + case)
            due = day + timedelta(days=5)
            rows.append(Complaint(
                tracking_code=f"S{unit.id:05d}{case:02d}", channel="web", category="other",
                description="规模测试", subject="规模测试", status="closed" if case % 2 else "dispatched",
                submitted_at=now, dispatched_unit_id=unit.id, first_dispatched_at=now,
                first_dispatched_on=day, first_reply_due_on=due, reply_due_on=due,
                first_replied_on=day + timedelta(days=(index * 7 + case) % 9),
                resolved=bool((index + case) % 3) if case % 2 else None,
                rating=("satisfied", "basically_satisfied", "dissatisfied")[(index + case) % 3]
                if case % 2 else None))
    db.session.add_all(rows)
    db.session.commit()
    return [unit.id for unit in units]


def row_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="stats-row" data-unit-id="(\d+)"', page)]


def charts(page: str) -> list[str]:
    return re.findall(r'<section class="mb-3" data-testid="stats-chart">(.*?)</section>', page, re.S)


@pytest.fixture
def office(make, login):
    user = make.user("office")
    login(user)
    return user


def ranking() -> list[dict]:
    return complaint_stats.stats(complaint_stats.parse_period(PERIOD))


def test_the_table_pages_through_the_ranking_unchanged(client, office):
    stats_world(120)
    expected = ranking()
    assert len(expected) == 120
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/complaints/stats?period={PERIOD}&page={number}").get_data(as_text=True)
        seen += row_ids(page)
    assert seen == [row["unit_id"] for row in expected]  # every unit once, in the ranking's order
    first = client.get(f"/complaints/stats?period={PERIOD}").get_data(as_text=True)
    assert len(row_ids(first)) == 50
    assert f"period={PERIOD}" in first and "page=2" in first  # the pager keeps the period
    row = expected[0]
    cells = re.search(rf'data-unit-id="{row["unit_id"]}">(.*?)</tr>', first, re.S).group(1)
    assert f'{row["score"]:.2f}' in cells and f'{row["response_rate"] * 100:.1f}%' in cells


@pytest.mark.parametrize(("sort", "direction"), [
    ("score", None), ("score", "asc"), ("response_rate", None), ("resolution_rate", "asc"),
    ("satisfaction_rate", None), ("dispatched", None), ("unit", None), ("unit", "desc"), ("rank", "desc"),
])
def test_each_sort_orders_the_whole_table_empty_values_last(client, office, sort, direction):
    stats_world(75)
    rows = ranking()
    descending = complaint_stats.SORTS[sort] if direction is None else direction == "desc"
    query = f"/complaints/stats?period={PERIOD}&sort={sort}&per_page=200" + (f"&dir={direction}" if direction else "")
    shown = row_ids(client.get(query).get_data(as_text=True))
    by_id = {row["unit_id"]: row for row in rows}
    assert sorted(shown) == sorted(by_id)
    if sort == "rank":
        assert shown == [row["unit_id"] for row in rows][::-1]
        return
    values = [by_id[ident][sort] for ident in shown]
    filled = [v for v in values if v is not None]
    assert values == filled + [None] * (len(values) - len(filled))
    assert filled == sorted(filled, reverse=descending)


def test_a_peer_group_filter_and_the_sort_links_keep_each_other(client, office):
    stats_world(60)
    rows = ranking()
    page = client.get(f"/complaints/stats?period={PERIOD}&group=middle_schools&sort=score").get_data(as_text=True)
    assert row_ids(page) == [r["unit_id"] for r in complaint_stats.table(rows, peer_group="middle_schools",
                                                                          sort="score")]
    links = {key: parse_qs(urlsplit(url.replace("&amp;", "&")).query)
             for url, key in re.findall(r'href="([^"]+)" data-sort="(\w+)"', page)}
    assert links["score"]["dir"] == ["asc"]  # the column sorted now: the other way
    assert links["unit"]["dir"] == ["asc"] and links["response_rate"]["dir"] == ["desc"]
    assert all(q["group"] == ["middle_schools"] and q["period"] == [PERIOD] for q in links.values())
    assert len(charts(page)) == 1  # the chart of that group only


def test_each_peer_groups_chart_shows_its_ten_best_and_ten_worst(client, office):
    stats_world(150)  # 50 a group, 40 of them ranked (4 complaints: listed only)
    rows = ranking()
    page = client.get(f"/complaints/stats?period={PERIOD}").get_data(as_text=True)
    sections = charts(page)
    assert len(sections) == 3
    for section in sections:
        assert section.count('class="bar-fill"') == 20
    first_group = [r for r in rows if r["peer_group"] == rows[0]["peer_group"] and r["rank"] is not None]
    names = re.findall(r'<text class="axis" x="0" y="\d+">\d+\. ([^<]+)</text>', sections[0])
    assert names == [r["unit"][:10] for r in first_group[:10] + first_group[-10:]]
    unranked = next(r for r in rows if r["rank"] is None)
    assert all(f'. {unranked["unit"][:10]}<' not in section for section in sections)
    # the page no longer grows with the bureau: 50 rows and 60 bars
    assert len(row_ids(page)) == 50 and page.count('class="bar-fill"') == 60 + 50 * 3 - sum(
        [r["response_rate"], r["resolution_rate"], r["satisfaction_rate"]].count(None) for r in rows[:50])


def test_the_xlsx_keeps_every_row(client, office):
    stats_world(70)
    response = client.get(f"/complaints/stats.xlsx?period={PERIOD}&group=kindergartens&page=2")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == 4 + 70  # the title, the filters, the export time and the header first


@pytest.mark.parametrize("query", [
    "page=abc", "page=0", "page=-1", "page=99999", "page=99999999999999999999", "per_page=100000",
    "per_page=abc", "per_page=0", "sort=<script>", "sort=score&dir=sideways", "group=%00",
    "group=nowhere", "dir=%00",
])
def test_bad_page_sort_and_group_show_the_table_never_a_500(client, office, query):
    stats_world(12)
    response = client.get(f"/complaints/stats?period={PERIOD}&{query}")
    assert response.status_code == 200, query
    assert row_ids(response.get_data(as_text=True)), query
    assert "<script>" not in response.get_data(as_text=True).split("</nav>", 1)[1]


def test_a_huge_per_page_is_clamped_to_200(client, office):
    stats_world(230)
    page = client.get(f"/complaints/stats?period={PERIOD}&per_page=100000").get_data(as_text=True)
    assert len(row_ids(page)) == 200


def test_the_page_runs_the_same_statements_for_2_and_20_units(client, office):
    def measure() -> int:
        db.session.close()
        g.pop("_login_user", None)
        with count_queries() as statements:
            assert client.get(f"/complaints/stats?period={PERIOD}").status_code == 200
        return len(statements)

    stats_world(2)
    few = measure()
    stats_world(20)
    assert measure() == few
