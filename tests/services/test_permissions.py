"""The one policy: roles, unit scope, the liaison department's read access."""

import pytest

from tracker.services.permissions import can, visible_unit_ids

ADMIN_ACTIONS = ["unit.manage", "user.list", "user.manage", "org.import"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", {"unit.manage", "user.list", "user.manage", "org.import", "setting.manage", "audit.view"}),
        ("office", {"setting.manage", "audit.view"}),
        ("leader", {"audit.view"}),
        ("unit_head", set()),
        ("unit_member", set()),
    ],
)
def test_role_actions(make, role, allowed):
    user = make.user(role)
    for action in [*ADMIN_ACTIONS, "setting.manage", "audit.view"]:
        assert can(user, action) is (action in allowed), action
    assert can(user, "dashboard.view")


def test_anonymous_and_inactive_users_can_nothing(make):
    from flask_login import AnonymousUserMixin

    user = make.user("admin")
    user.is_active = False
    for who in (None, AnonymousUserMixin(), user):
        assert not can(who, "dashboard.view")
        assert not can(who, "unit.manage")


def test_unit_scope_and_liaison(make):
    liaison = make.unit(kind="department", peer_group="departments")
    school = make.unit(liaison_unit_id=liaison.id)
    other = make.unit()
    head = make.user("unit_head", unit=school)
    liaison_head = make.user("unit_head", unit=liaison)
    office = make.user("office")

    assert visible_unit_ids(head) == {school.id}
    assert visible_unit_ids(liaison_head) == {liaison.id, school.id}
    assert visible_unit_ids(office) is None

    assert can(head, "record.view", school.id) and not can(head, "record.view", other.id)
    assert can(liaison_head, "record.view", school.id)
    assert not can(liaison_head, "record.view", other.id)
    # the liaison reads a school's records but does not change them
    assert not can(liaison_head, "record.edit", school.id)
    assert can(head, "record.edit", school.id) and not can(head, "record.edit", other.id)
    assert can(office, "record.edit", other.id)
    leader = make.user("leader")
    assert can(leader, "record.view", other.id) and not can(leader, "record.edit", other.id)


def test_users_see_their_own_account_only(make):
    one, two = make.user("unit_head"), make.user("unit_head")
    assert can(one, "user.view", one) and not can(one, "user.view", two)
    assert can(make.user("admin"), "user.view", two)
