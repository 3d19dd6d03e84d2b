"""The bar and column charts' geometry: pure functions."""

from __future__ import annotations

import pytest

from tracker.services import charts


@pytest.mark.parametrize(("value", "maximum", "length"), [
    (0, 100, 0.0), (50, 100, 200.0), (100, 100, 400.0), (120, 100, 400.0), (-5, 100, 0.0),
    (None, 100, 0.0), (0.5, 1, 200.0), (33.333, 100, 133.3),
])
def test_a_bar_is_as_long_as_its_share_of_the_track(value, maximum, length):
    chart = charts.bar_chart([("城关小学", value, "—", "")], maximum=maximum)
    assert chart.bars[0].length == length


def test_bars_stack_in_order_and_long_labels_are_cut():
    chart = charts.bar_chart([("一二三四五六七八九十一二三", 10, "10", ""), ("短", 20, "20", "alert")])
    assert [bar.y for bar in chart.bars] == [5, 23]
    assert chart.bars[0].label == "一二三四五六七八九十一…" and chart.bars[1].tone == "alert"
    assert chart.height == 10 + 2 * chart.row and chart.text_x == chart.left + chart.track + 5


def test_empty_charts_are_none():
    assert charts.bar_chart([]) is None and charts.column_chart([]) is None


def test_columns_scale_to_the_tallest():
    chart = charts.column_chart([("10-05", 2), ("10-12", 4), ("10-19", 0)])
    heights = [column.height for column in chart.columns]
    assert heights == [55.0, 110.0, 0.0]
    assert all(column.y + column.height == chart.baseline for column in chart.columns)
    assert [column.text for column in chart.columns] == ["2", "4", "0"]
