"""Ranking within peer groups, shared by rating rounds, assessments and innovations (docs/domain.md).

- By score descending; equal scores share a rank and the next rank skips (1, 2, 2, 4).
- Vetoed units 一票否决 come after all others and share the last rank.
- Units not eligible (too few ballots or cases) are listed but not ranked.
- **Last** is the worst rank; the **bottom p %** of n ranked units are the last
  ⌈p/100 · n⌉ positions and every unit tied with one of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Line:
    unit_id: int
    peer_group: str | None
    score: float | None
    eligible: bool = True
    veto: bool = False
    rank: int | None = None
    ranked_count: int | None = None  # ranked units in the peer group
    detail: dict = field(default_factory=dict)


def rank_lines(lines: Iterable[Line]) -> list[Line]:
    """Set ``rank`` and ``ranked_count`` of every line, per peer group; return them in order.

    The order is: peer group, then ranked lines best first, vetoed ones, then the unranked.
    """
    groups: dict[str | None, list[Line]] = defaultdict(list)
    for line in lines:
        groups[line.peer_group].append(line)
    ordered: list[Line] = []
    for peer_group in sorted(groups, key=lambda key: (key is None, key or "")):
        members = groups[peer_group]
        ranked = sorted((line for line in members if line.eligible and not line.veto
                         and line.score is not None),
                        key=lambda line: (-line.score, line.unit_id))
        vetoed = sorted((line for line in members if line.veto), key=lambda line: line.unit_id)
        listed = {id(line) for line in ranked + vetoed}
        unranked = sorted((line for line in members if id(line) not in listed),
                          key=lambda line: (line.score is None, -(line.score or 0), line.unit_id))
        for position, line in enumerate(ranked, start=1):
            tied = position > 1 and line.score == ranked[position - 2].score
            line.rank = ranked[position - 2].rank if tied else position
        for line in vetoed:
            line.rank = len(ranked) + 1
        for line in unranked:
            line.rank = None
        for line in members:
            line.ranked_count = len(ranked) + len(vetoed)
        ordered.extend(ranked + vetoed + unranked)
    return ordered


def last_place(lines: Iterable[Line]) -> list[Line]:
    """Return the lines holding the worst rank of their peer group (all tied there)."""
    worst: dict[str | None, int] = {}
    ranked = [line for line in lines if line.rank is not None]
    for line in ranked:
        worst[line.peer_group] = max(worst.get(line.peer_group, 0), line.rank)
    return [line for line in ranked if line.rank == worst[line.peer_group]]


def bottom_share(lines: Iterable[Line], percent: float) -> list[Line]:
    """Return the last ⌈percent % · n⌉ ranked lines of each peer group, and all tied with them."""
    groups: dict[str | None, list[Line]] = defaultdict(list)
    for line in lines:
        if line.rank is not None:
            groups[line.peer_group].append(line)
    chosen: list[Line] = []
    for members in groups.values():
        members.sort(key=lambda line: (line.rank, line.unit_id))
        size = math.ceil(round(percent / 100 * len(members), 9))
        if size == 0:
            continue
        cut = members[len(members) - size].rank  # the best rank inside the bottom positions
        chosen.extend(line for line in members if line.rank >= cut)
    return chosen
