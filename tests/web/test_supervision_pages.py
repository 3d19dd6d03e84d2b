"""The supervision pages as the office and a unit use them."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Finding, JobRun, SupervisionRound


def test_office_runs_annotates_and_closes_a_round(client, make, login):
    school = make.unit(name="东风小学")
    task = make.task(make.measure(make.plan()), school, title="冰雪运动进校园",
                     starts_on="2026-10-01", due_on="2026-10-15")
    login(make.user("office"))
    assert client.post("/supervision/start", data={"week_start": "2026-10-13"}).status_code == 302
    assert db.session.scalar(select(SupervisionRound)) is None  # not a Monday
    response = client.post("/supervision/start", data={"week_start": "2026-10-12"})
    rnd = db.session.scalar(select(SupervisionRound))
    assert response.location.endswith(f"/supervision/{rnd.id}")
    page = client.get(f"/supervision/{rnd.id}").get_data(as_text=True)
    assert "东风小学" in page and task.title in page
    finding = db.session.scalar(select(Finding))
    client.post(f"/supervision/findings/{finding.id}/note", data={"note": "已电话督促"})
    assert "已电话督促" in client.get(f"/supervision/{rnd.id}").get_data(as_text=True)
    client.post(f"/supervision/{rnd.id}/close")
    assert db.session.get(SupervisionRound, rnd.id).status == "closed"
    client.post(f"/supervision/findings/{finding.id}/note", data={"note": "改"})
    assert db.session.get(Finding, finding.id).note == "已电话督促"
    listing = client.get("/supervision/").get_data(as_text=True)
    assert "2026-10-12" in listing


def test_unit_sees_only_its_findings(client, make, login):
    mine, other = make.unit(), make.unit()
    plan = make.plan()
    measure = make.measure(plan)
    make.task(measure, mine, title="本校任务", starts_on="2026-10-01", due_on="2026-10-15")
    make.task(measure, other, title="他校任务", starts_on="2026-10-01", due_on="2026-10-15")
    office = make.user("office")
    login(office)
    client.post("/supervision/start", data={"week_start": "2026-10-12"})
    client.post("/logout")
    login(make.user("unit_member", unit=mine))
    page = client.get("/supervision/mine").get_data(as_text=True)
    assert "本校任务" in page and "他校任务" not in page
    assert client.get("/supervision/").status_code == 403


def test_jobs_page_runs_a_job_and_lists_it(client, make, login):
    login(make.user("office"))
    response = client.post("/supervision/jobs", data={"name": "weekly_round"})
    assert response.status_code == 302
    assert db.session.scalar(select(JobRun.outcome)) == "succeeded"
    assert "weekly_round" in client.get("/supervision/jobs").get_data(as_text=True)


def test_the_round_page_shows_its_early_warning(client, make, login):
    mine, other = make.unit(name="东风小学"), make.unit(name="西湖小学")
    measure = make.measure(make.plan())
    for unit, title in ((mine, "本校慢任务"), (other, "他校慢任务")):
        task = make.task(measure, unit, title=title, starts_on="2026-09-01", due_on="2026-10-31")
        make.entry(task, 10, "2026-09-10")
        make.entry(task, 20, "2026-10-15")  # at this pace: 2027-07-22
    login(make.user("office"))
    client.post("/supervision/start", data={"week_start": "2026-10-12"})
    rnd = db.session.scalar(select(SupervisionRound))
    page = client.get(f"/supervision/{rnd.id}").get_data(as_text=True)
    assert 'data-testid="round-risk"' in page and "预计逾期2项" in page
    assert "本校慢任务" in page and "他校慢任务" in page and "2027-07-22" in page
    page = client.get(f"/supervision/{rnd.id}?unit_id={mine.id}").get_data(as_text=True)
    risk = page[page.index('data-testid="round-risk"'):]
    assert "本校慢任务" in risk and "他校慢任务" not in risk  # the unit filter narrows it too
