"""Special assessments 专项考核 and innovations 一招鲜: rankings worked out by hand, frozen rankings,
innovation totals, the .xlsx import (all or nothing)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Assessment,
    AssessmentScore,
    AssessmentTheme,
    AuditEvent,
    Innovation,
    Ranking,
    RankingRow,
)
from tracker.services import assessments, innovations, organisation, spreadsheets
from tracker.services.errors import Conflict, InvalidInput, RowErrors


@pytest.fixture
def office(make):
    return make.actor(make.user("office"))


def _rows(assessment):
    ranking = assessments.ranking_of(assessment)
    return {row.unit_id: row for row in assessments.ranking_rows(ranking)}


def test_ranking_by_peer_group_with_ties_and_vetoes_last(make, office):
    a, b, c, d = (make.unit(kind="school", peer_group="primary_schools") for _ in range(4))
    e, f = (make.unit(kind="department", peer_group="departments") for _ in range(2))
    assessment = assessments.enter(office, theme="teacher_ethics", period="2026-H1", scores=[
        assessments.ScoreInput(unit_id=a.id, score=90), assessments.ScoreInput(unit_id=b.id, score=85.5),
        assessments.ScoreInput(unit_id=c.id, score=85.5), assessments.ScoreInput(unit_id=d.id, score=99, veto=True, note="师德"),
        assessments.ScoreInput(unit_id=e.id, score=70.25), assessments.ScoreInput(unit_id=f.id, score=80)])
    db.session.commit()
    rows = _rows(assessment)
    assert {u.id: rows[u.id].rank for u in (a, b, c, d)} == {a.id: 1, b.id: 2, c.id: 2, d.id: 4}
    assert {u.id: rows[u.id].ranked_count for u in (a, b, c, d)} == dict.fromkeys(
        (a.id, b.id, c.id, d.id), 4)
    assert rows[d.id].veto and rows[d.id].detail["result"] == "fail" and rows[d.id].score == 99
    assert rows[a.id].detail["result"] == "pass"
    assert {rows[e.id].rank, rows[f.id].rank} == {2, 1} and rows[f.id].rank == 1
    assert rows[e.id].ranked_count == 2 and rows[e.id].peer_group == "departments"
    ranking = assessments.ranking_of(assessment)
    assert ranking.kind == "assessment" and ranking.status == "published"
    assert ranking.subject_key == f"assessment:{assessment.id}" and ranking.published_at is not None
    order = [row.unit_id for row in assessments.ranking_rows(ranking)]
    assert order.index(d.id) > order.index(c.id)  # vetoed after every other unit of its group


def test_several_vetoes_share_the_last_rank(make, office):
    a, b, c = (make.unit() for _ in range(3))
    assessment = assessments.enter(office, theme="teaching", period="2026-H2", scores=[
        assessments.ScoreInput(unit_id=a.id, score=50), assessments.ScoreInput(unit_id=b.id, score=90, veto=True),
        assessments.ScoreInput(unit_id=c.id, score=95, veto=True)])
    rows = _rows(assessment)
    assert (rows[a.id].rank, rows[b.id].rank, rows[c.id].rank) == (1, 2, 2)


def test_a_second_entry_of_the_theme_and_half_year_is_a_conflict(make, office):
    unit = make.unit()
    assessments.enter(office, theme="teaching", period="2026-H1",
                      scores=[assessments.ScoreInput(unit_id=unit.id, score=80)])
    db.session.commit()
    with pytest.raises(Conflict):
        assessments.enter(office, theme="teaching", period="2026-H1",
                          scores=[assessments.ScoreInput(unit_id=unit.id, score=90)])
    db.session.rollback()
    assert db.session.scalar(select(func.count(Assessment.id))) == 1
    assert db.session.scalar(select(AssessmentScore.score)) == 80
    # another theme or half-year is fine
    assessments.enter(office, theme="teaching", period="2026-H2",
                      scores=[assessments.ScoreInput(unit_id=unit.id, score=90)])


@pytest.mark.parametrize(("item", "field"), [
    ({"score": 101}, "scores.0.score"),
    ({"score": -1}, "scores.0.score"),
    ({"score": 80.555}, "scores.0.score"),
    ({"score": Decimal("NaN")}, "scores.0.score"),
    ({"score": None}, "scores.0.score"),
    ({"score": 80, "unit_id": 999999}, "scores.0.unit_id"),
    ({"score": 80, "note": "a\x00b"}, "scores.0.note"),
])
def test_bad_scores_name_the_field_and_store_nothing(make, office, item, field):
    unit = make.unit()
    with pytest.raises(InvalidInput) as caught:
        assessments.enter(office, theme="teaching", period="2026-H1",
                          scores=[assessments.ScoreInput(**{"unit_id": unit.id, **item})])
    assert field in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_bad_theme_period_and_duplicates(make, office):
    unit = make.unit()
    with pytest.raises(InvalidInput) as caught:
        assessments.enter(office, theme="sports", period="2026-Q1",
                          scores=[assessments.ScoreInput(unit_id=unit.id, score=1),
                                  assessments.ScoreInput(unit_id=unit.id, score=2)])
    assert {"theme", "period", "scores.1.unit_id"} <= set(caught.value.fields)
    with pytest.raises(InvalidInput) as caught:
        assessments.enter(office, theme="teaching", period="2026-H1", scores=[])
    assert "scores" in caught.value.fields


def test_entry_is_audited(make, office):
    unit = make.unit()
    assessments.enter(office, theme="school_layout", period="2026-H1",
                      scores=[assessments.ScoreInput(unit_id=unit.id, score=60)])
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"assessment.enter", "ranking.publish"} <= actions


# Import ------------------------------------------------------------------------------------


def _workbook(rows, headers=assessments.HEADERS, sheet=assessments.SHEET) -> io.BytesIO:
    return io.BytesIO(spreadsheets.write_workbook([(sheet, headers, rows)]))


def test_import_of_a_good_file(make, office):
    a = make.unit(name="一中")
    b = make.unit(name="二中")
    assessment = assessments.import_scores(office, theme="teacher_ethics", period="2026-H1", stream=_workbook(
        [("一中", 92.5, None, None), ("二中", "88", "是", "教师有偿补课")]))
    db.session.commit()
    rows = _rows(assessment)
    assert rows[a.id].rank == 1 and rows[a.id].score == 92.5
    assert rows[b.id].veto and rows[b.id].detail["note"] == "教师有偿补课" and rows[b.id].rank == 2


@pytest.mark.parametrize(("row", "column"), [
    (("不存在的学校", 90, None, None), "单位"),
    ((None, 90, None, None), "单位"),
    (("一中", None, None, None), "得分"),
    (("一中", 120, None, None), "得分"),
    (("一中", "九十", None, None), "得分"),
    (("一中", 90.123, None, None), "得分"),
    (("一中", 90, "也许", None), "一票否决"),
    (("一中", 90, None, "x" * 501), "备注"),
    (("一中", 80, None, None), "单位"),  # the same unit twice
])
def test_import_refuses_each_bad_row_kind_and_stores_nothing(make, office, row, column):
    make.unit(name="一中")
    make.unit(name="二中")
    with pytest.raises(RowErrors) as caught:
        assessments.import_scores(office, theme="teaching", period="2026-H1", stream=_workbook(
            [("一中", 90, None, None), ("二中", 80, None, None), row]))
    problems = caught.value.rows
    assert problems and all(p["row"] == 4 for p in problems)
    assert column in {p["column"] for p in problems}
    assert all(p["message"] for p in problems)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    assert db.session.scalar(select(func.count(Ranking.id))) == 0


def test_import_refuses_a_file_that_is_not_the_template(make, office):
    for stream in (io.BytesIO(b"not a workbook"), _workbook([("一中", 1)], headers=("单位", "分数")),
                   _workbook([], sheet=assessments.SHEET)):
        with pytest.raises(InvalidInput) as caught:
            assessments.import_scores(office, theme="teaching", period="2026-H1", stream=stream)
        assert "file" in caught.value.fields


def test_template_lists_units_with_chinese_headers(make):
    make.unit(name="模板学校")
    rows = spreadsheets.read_sheet(io.BytesIO(assessments.template()), assessments.SHEET,
                                   assessments.HEADERS)
    assert "模板学校" in {cells["单位"] for _n, cells in rows}


# Innovations ---------------------------------------------------------------------------------


def _register(actor, unit, year=2026, title="一招鲜"):
    return innovations.register(actor, unit_id=unit.id, title=title, description="做法与成效", year=year)


def test_innovation_totals_rank_per_peer_group_and_units_without_score_zero(make, office):
    a, b, c = (make.unit(kind="school", peer_group="primary_schools") for _ in range(3))
    dept = make.unit(kind="department", peer_group="departments")
    make.unit(kind="working_group", peer_group=None)  # not ranked
    archived = make.unit(kind="school", peer_group="primary_schools")
    organisation.set_unit_archived(office, archived, True)
    for score in (30, 25.5, 10):
        innovations.score(office, _register(office, a), score)
    for score in (40, 25.5):
        innovations.score(office, _register(office, b), score)
    _register(office, b)  # not scored: counts as an innovation, adds nothing
    _register(office, dept, year=2025)  # another year
    db.session.commit()
    view = innovations.ranking(2026)
    rows = {row["unit_id"]: row for row in view.rows}
    assert view.status == "draft"
    assert rows[a.id]["total_score"] == 65.5 and rows[a.id]["innovations"] == 3
    assert rows[b.id]["total_score"] == 65.5 and rows[b.id]["innovations"] == 3
    assert rows[c.id]["total_score"] == 0 and rows[c.id]["innovations"] == 0
    assert (rows[a.id]["rank"], rows[b.id]["rank"], rows[c.id]["rank"]) == (1, 1, 3)
    assert rows[dept.id]["total_score"] == 0 and rows[dept.id]["rank"] == 1
    assert rows[c.id]["below_expected"] and not rows[a.id]["below_expected"]
    assert set(rows) >= {a.id, b.id, c.id, dept.id} and archived.id not in rows
    assert all(row["peer_group"] is not None for row in view.rows)


def test_publishing_freezes_the_year_and_refuses_late_changes(make, office):
    unit = make.unit()
    first = _register(office, unit)
    innovations.score(office, first, 80)
    late = _register(office, unit, title="未评分")
    db.session.commit()
    ranking = innovations.publish(office, 2026)
    db.session.commit()
    assert ranking.kind == "innovation" and ranking.status == "published"
    assert ranking.subject_key == "innovation:2026" and ranking.year == 2026
    row = db.session.scalar(select(RankingRow).where(RankingRow.ranking_id == ranking.id,
                                                     RankingRow.unit_id == unit.id))
    assert row.detail == {"innovations": 2, "total_score": 80.0}
    assert (row.rank, row.ranked_count, row.score) == (1, row.ranked_count, 80.0)
    with pytest.raises(Conflict):
        innovations.publish(office, 2026)
    with pytest.raises(Conflict):
        innovations.score(office, late, 50)
    with pytest.raises(Conflict):
        innovations.score(office, first, 90)
    with pytest.raises(Conflict):
        _register(office, unit)
    db.session.rollback()
    assert db.session.get(Innovation, late.id).score is None
    view = innovations.ranking(2026)
    assert view.status == "published" and {r["unit_id"]: r["total_score"] for r in view.rows}[unit.id] == 80
    # the next year is still open
    innovations.score(office, _register(office, unit, year=2027), 10)


def test_a_scored_innovation_can_no_longer_be_edited(make, office):
    unit = make.unit()
    innovation = _register(office, unit)
    innovations.update(office, innovation, title="新标题", description="新做法", year=2026)
    assert innovation.title == "新标题"
    innovations.score(office, innovation, 70)
    with pytest.raises(Conflict):
        innovations.update(office, innovation, title="再改", description="x", year=2026)


@pytest.mark.parametrize(("values", "field"), [
    ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"description": " "}, "description"),
    ({"year": 1999}, "year"), ({"unit_id": 999999}, "unit_id"),
    ({"title": "a\x07b"}, "title"),
])
def test_bad_innovations_name_the_field(make, office, values, field):
    unit = make.unit()
    arguments = {"unit_id": unit.id, "title": "t", "description": "d", "year": 2026, **values}
    with pytest.raises(InvalidInput) as caught:
        innovations.register(office, **arguments)
    assert field in caught.value.fields


@pytest.mark.parametrize("value", [101, -0.01, Decimal("NaN"), None, 1.234])
def test_bad_innovation_scores(make, office, value):
    innovation = _register(office, make.unit())
    with pytest.raises(InvalidInput):
        innovations.score(office, innovation, value)


def test_publishing_runs_the_accountability_rules_on_the_frozen_ranking(make, office):
    from tracker.models import Flag

    first, last = make.unit(), make.unit()
    assessments.enter(office, theme="party_building", period="2026-H1", scores=[
        assessments.ScoreInput(unit_id=first.id, score=90), assessments.ScoreInput(unit_id=last.id, score=60)])
    flagged = set(db.session.scalars(select(Flag.unit_id).where(Flag.rule == "last_place")))
    assert last.id in flagged and first.id not in flagged


def test_the_demo_assessments_and_innovations(make):
    from datetime import date

    from tracker import demo
    from tracker.demo import assessments as demo_assessments

    actor = make.actor()
    demo.load(actor)
    today = date(2026, 11, 20)
    assert demo_assessments.load(actor, today) is True
    db.session.commit()
    items = assessments.listing()
    assert sorted(a.theme for a in items) == sorted(AssessmentTheme.codes())
    assert {a.period for a in items} == {"2026-H1"}
    ethics = next(a for a in items if a.theme == "teacher_ethics")
    vetoed = [row for row in assessments.ranking_rows(assessments.ranking_of(ethics)) if row.veto]
    assert [row.unit_name for row in vetoed] == ["南响初级中学"]
    assert vetoed[0].rank == vetoed[0].ranked_count
    poverty = next(a for a in items if a.theme == "poverty_alleviation")
    last = {row.unit_name: row for row in assessments.ranking_rows(assessments.ranking_of(poverty))}
    assert last["东风初级中学"].rank == last["东风初级中学"].ranked_count
    assert innovations.ranking(2025).status == "published"
    this_year = innovations.ranking(2026)
    assert this_year.status == "draft" and any(row["below_expected"] for row in this_year.rows)
    assert demo_assessments.load(actor, today) is False
