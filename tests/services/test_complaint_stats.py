"""The three complaint rates, the score and the ranking on hand-built cases (docs/domain.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.notices_data import rate_world
from tracker.extensions import db
from tracker.models import Setting
from tracker.services import complaint_stats
from tracker.services.errors import InvalidInput


def _by_unit(rows):
    return {row["unit_id"]: row for row in rows}


def test_rates_score_and_ranks_by_hand(make):
    units = rate_world(make)
    rows = _by_unit(complaint_stats.stats(complaint_stats.parse_period("2026-10")))
    a = rows[units["a"].id]
    assert (a["dispatched"], a["replied_on_time"], a["closed"], a["resolved"], a["rated"],
            a["satisfied"], a["basically_satisfied"], a["dissatisfied"]) == (6, 4, 4, 3, 3, 1, 1, 1)
    assert (a["response_rate"], a["resolution_rate"], a["satisfaction_rate"]) == (0.6667, 0.75, 0.6667)
    # 100 × (0.30 × 4/6 + 0.35 × 3/4 + 0.35 × 2/3) = 69.5833…
    assert a["score"] == 69.58
    b, d = rows[units["b"].id], rows[units["d"].id]
    # resolution and satisfaction null: the response rate alone carries the score
    assert (b["response_rate"], b["resolution_rate"], b["satisfaction_rate"], b["score"]) == (
        0.8, None, None, 80.0)
    assert (b["rank"], d["rank"], a["rank"]) == (1, 1, 3)  # tied, then the next rank skips
    c = rows[units["c"].id]
    assert (c["dispatched"], c["score"], c["rank"]) == (3, 100.0, None)  # fewer than 5: listed only
    g, e = rows[units["g"].id], rows[units["e"].id]
    # 100 × (0.30 × 0.6 + 0.35 × 0.5) / 0.65 = 54.615…
    assert (g["response_rate"], g["resolution_rate"], g["satisfaction_rate"], g["score"]) == (
        0.6, 0.5, None, 54.62)
    assert (g["rank"], e["rank"], e["score"]) == (1, 2, 0.0)  # departments ranked apart
    assert len(rows) == 6


def test_periods_quarter_half_and_year(make):
    units = rate_world(make)
    for key, expected in (("2026-Q4", 7), ("2026-H2", 8), ("2026", 8), ("2026-09", 1), ("2026-11", 1)):
        rows = _by_unit(complaint_stats.stats(complaint_stats.parse_period(key)))
        assert rows[units["a"].id]["dispatched"] == expected, key
    assert complaint_stats.stats(complaint_stats.parse_period("2025")) == []


@pytest.mark.parametrize("key", ["", "2026-13", "2026-Q5", "2026-H3", "26", "1999", "2026-1", None, 2026,
                                 "2026\x00", "<script>"])
def test_bad_periods(app, key):
    with pytest.raises(InvalidInput) as error:
        complaint_stats.parse_period(key)
    assert "period" in error.value.fields


def test_weights_and_threshold_come_from_settings(make):
    units = rate_world(make)
    now = datetime.now(UTC)
    db.session.add_all([Setting(key=key, value=value, updated_at=now) for key, value in (
        ("complaints.weight_response", 1.0), ("complaints.weight_resolution", 0.0),
        ("complaints.weight_satisfaction", 0.0), ("complaints.min_dispatched_ranked", 3))])
    db.session.commit()
    rows = _by_unit(complaint_stats.stats(complaint_stats.parse_period("2026-10")))
    assert rows[units["a"].id]["score"] == 66.67
    assert rows[units["c"].id]["rank"] == 1  # 3 cases are enough now, and 100 % on time


def test_a_unit_user_sees_their_own_row_with_the_true_rank(make):
    units = rate_world(make)
    head = make.user("unit_head", unit=units["a"])
    rows = complaint_stats.stats(complaint_stats.parse_period("2026-10"), head)
    assert [(r["unit_id"], r["rank"]) for r in rows] == [(units["a"].id, 3)]


def test_one_query(make):
    from tests.querycount import count_queries

    rate_world(make)
    period = complaint_stats.parse_period("2026-10")
    complaint_stats.weights()
    with count_queries() as statements:
        complaint_stats.stats(period)
    selects = [s for s in statements if "complaints" in s]
    assert len(selects) == 1 and "GROUP BY" in selects[0]


def test_the_xlsx_names_no_complainant(make):
    from tests.notices_data import CONTACT, NAME

    rate_world(make)
    rows = complaint_stats.stats(complaint_stats.parse_period("2026-10"))
    data = complaint_stats.to_xlsx(rows, "2026-10")
    import html
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    text = html.unescape(raw)  # openpyxl writes CJK as character references
    assert "甲小学" in text and "响应率" in text
    assert NAME not in text and CONTACT not in text and "13900007777" not in text
