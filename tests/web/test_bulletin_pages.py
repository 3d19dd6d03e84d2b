"""Bulletin pages: the office generates, a leader approves, the office publishes, the public reads."""

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Bulletin


def test_generate_approve_publish_and_read_publicly(client, make, login):
    unit = make.unit(name="城关小学")
    task = make.task(make.measure(make.plan()), unit, starts_on="2026-10-01", due_on="2026-10-10")
    make.entry(task, 100, "2026-10-08")
    office, leader = make.user("office", display_name="刘晓东"), make.user("leader")
    login(office)
    client.post("/bulletins/generate", data={"kind": "monthly", "period": "2026-13"})
    assert db.session.scalar(select(Bulletin)) is None
    response = client.post("/bulletins/generate", data={"kind": "monthly", "period": "2026-10"})
    bulletin = db.session.scalar(select(Bulletin))
    assert response.location.endswith(f"/bulletins/{bulletin.id}")
    page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "城关小学" in page
    client.post(f"/bulletins/{bulletin.id}", data={"title": "2026年10月通报", "narrative": "总体有序。"})
    assert client.post(f"/bulletins/{bulletin.id}/approve").status_code == 403
    assert client.get(f"/public/bulletins/{bulletin.id}").status_code == 404
    client.post("/logout")
    login(leader)
    client.post(f"/bulletins/{bulletin.id}/approve", data={"confirm": "yes"})
    assert db.session.get(Bulletin, bulletin.id).status == "approved"
    client.post("/logout")
    login(office)
    client.post(f"/bulletins/{bulletin.id}/publish", data={"confirm": "yes"})
    published = db.session.get(Bulletin, bulletin.id)
    assert published.status == "published" and published.number == 1
    docx = client.get(f"/bulletins/{bulletin.id}.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    client.post("/logout")
    public = client.get(f"/public/bulletins/{bulletin.id}").get_data(as_text=True)
    assert "2026年10月通报" in public and "总体有序。" in public and published.doc_number in public
    assert "刘晓东" not in public
    assert "2026年10月通报" in client.get("/public/bulletins").get_data(as_text=True)


def test_a_preview_of_the_current_period_is_marked_unnumbered_and_never_stored(client, make, login):
    from tracker import clock
    from tracker.models import AuditEvent

    unit = make.unit(name="城关小学")
    today = clock.today()
    make.task(make.measure(make.plan()), unit, starts_on=today.replace(day=1).isoformat(),
              due_on=today.isoformat())
    office, leader, head = make.user("office"), make.user("leader"), make.user("unit_head", unit=unit)
    for user in (office, leader):
        login(user)
        listing = client.get("/bulletins").get_data(as_text=True)
        assert 'data-testid="bulletin-previews"' in listing and "/bulletins/preview?kind=monthly" in listing
        response = client.get("/bulletins/preview?kind=monthly")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and 'data-testid="bulletin-preview"' in page
        assert f"数据截至{today.isoformat()}" in page and "（预览，不编号）" in page
        assert f"{today.year}-{today.month:02d}" in page and "城关小学" in page
        for step in ("approve", "publish", "return", "regenerate", "resubmit"):
            assert f'data-testid="bulletin-{step}"' not in page  # nothing to approve or publish
        assert ".docx" not in page
        client.post("/logout")
    assert db.session.scalar(select(func.count()).select_from(Bulletin)) == 0  # nothing stored …
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(  # … or audited
        AuditEvent.object_type == "bulletins")) == 0
    login(office)
    bad = client.get("/bulletins/preview?kind=weekly")
    assert bad.status_code == 400 and "月通报、季度小结、半年考核" in bad.get_data(as_text=True)
    client.post("/logout")
    login(head)
    assert client.get("/bulletins/preview?kind=monthly").status_code == 403
    assert 'data-testid="bulletin-previews"' not in client.get("/bulletins").get_data(as_text=True)


def test_the_step_buttons_follow_the_workflow(client, make, login):
    from tracker.services import bulletins

    make.unit(name="城关小学")
    office, leader = make.user("office"), make.user("leader")
    bulletin, _created = bulletins.generate(make.actor(office), "monthly", "2026-10")
    db.session.commit()
    expected = {  # state → the buttons each role sees
        "draft": ({"regenerate"}, {"approve", "return"}),
        "returned": ({"regenerate", "resubmit"}, set()),
        "approved": ({"publish"}, set()),
    }
    for state, (office_steps, leader_steps) in expected.items():
        db.session.get(Bulletin, bulletin.id).status = state
        db.session.commit()
        for user, steps in ((office, office_steps), (leader, leader_steps)):
            login(user)
            page = client.get(f"/bulletins/{bulletin.id}").get_data(as_text=True)
            shown = {step for step in ("approve", "return", "publish", "regenerate", "resubmit")
                     if f'data-testid="bulletin-{step}"' in page}
            assert shown == steps, (state, user.role)
            assert ("<textarea" in page) == (user is office and state in ("draft", "returned"))
            client.post("/logout")
