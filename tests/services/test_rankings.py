"""Ranking within peer groups: shared ranks, vetoes, the unranked, last place and the bottom share."""

from tracker.services.rankings import Line, bottom_share, last_place, rank_lines


def ranks(lines):
    return {line.unit_id: line.rank for line in rank_lines(lines)}


def test_equal_scores_share_a_rank_and_the_next_rank_skips():
    lines = [Line(1, "g", 90), Line(2, "g", 80), Line(3, "g", 80), Line(4, "g", 70)]
    assert ranks(lines) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_vetoed_units_come_last_and_share_the_last_rank_whatever_their_score():
    lines = [Line(1, "g", 60), Line(2, "g", 99, veto=True), Line(3, "g", 95, veto=True), Line(4, "g", 70)]
    ordered = rank_lines(lines)
    assert [line.unit_id for line in ordered] == [4, 1, 2, 3]
    assert {line.unit_id: line.rank for line in ordered} == {4: 1, 1: 2, 2: 3, 3: 3}
    assert {line.unit_id for line in last_place(ordered)} == {2, 3}


def test_units_not_eligible_are_listed_without_a_rank_and_peer_groups_are_kept_apart():
    lines = [Line(1, "a", 50), Line(2, "a", 99, eligible=False), Line(3, "b", 10), Line(4, "b", 20)]
    ordered = rank_lines(lines)
    assert {line.unit_id: line.rank for line in ordered} == {1: 1, 2: None, 3: 2, 4: 1}
    assert {line.unit_id: line.ranked_count for line in ordered} == {1: 1, 2: 1, 3: 2, 4: 2}
    assert {line.unit_id for line in last_place(ordered)} == {1, 3}


def test_bottom_ten_percent_is_the_last_ceiling_positions_and_every_unit_tied_with_them():
    # 11 units: ⌈1.1⌉ = 2 positions; positions 10 and 11 hold ranks 9 (tied with position 9) and 11
    scores = [100, 99, 98, 97, 96, 95, 94, 93, 50, 50, 10]
    ordered = rank_lines([Line(n, "g", score) for n, score in enumerate(scores, start=1)])
    assert sorted(line.unit_id for line in bottom_share(ordered, 10)) == [9, 10, 11]
    # 10 units: ⌈1.0⌉ = 1 position
    ordered = rank_lines([Line(n, "g", 100 - n) for n in range(1, 11)])
    assert [line.unit_id for line in bottom_share(ordered, 10)] == [10]


def test_unranked_lines_never_fall_in_the_bottom_share():
    ordered = rank_lines([Line(1, "g", 90), Line(2, "g", 10, eligible=False)])
    assert [line.unit_id for line in bottom_share(ordered, 10)] == [1]
