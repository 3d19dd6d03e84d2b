"""The audit log in words: every action the code records has a label, and coded values show theirs."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from tracker.services import audit_labels

ACTION = re.compile(r'audit\.record\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)"')


def recorded_actions() -> set[str]:
    """The actions written as literals in ``audit.record(actor, "…", …)`` calls."""
    found = set()
    for path in Path("tracker").rglob("*.py"):
        found |= set(ACTION.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_action_the_code_records_is_known():
    actions = recorded_actions()
    assert len(actions) > 40
    assert sorted(actions - set(audit_labels.action_codes())) == []


def test_actions_objects_fields_and_values_by_their_labels(app):
    with force_locale("zh_CN"):
        assert str(audit_labels.action_label("task.create")) == "新建任务"
        assert str(audit_labels.action_label("complaint.dispatch")) == "投诉 · 已下派"
        assert audit_labels.action_label("no.such") == "no.such"
        assert str(audit_labels.object_label("complaints")) == "投诉"
        assert str(audit_labels.field_label("complaints", "rating")) == "满意度"
        assert str(audit_labels.value_label("complaints", "rating", "dissatisfied")) == "不满意"
        assert str(audit_labels.value_label("complaints", "status", "dispatched")) == "已下派"
        assert str(audit_labels.value_label("units", "peer_group", "departments")) == "股室"
        assert audit_labels.value_label("units", "peer_group", "乡镇中学") == "乡镇中学"  # the bureau's own
        assert audit_labels.value_label("rating_rounds", "dimensions",
                                        [{"key": "spirit", "name": "精神状态"}]) == "精神状态"
    with force_locale("en"):
        assert str(audit_labels.action_label("task.create")) == "New task"
        assert str(audit_labels.value_label("complaints", "rating", None)) == "—"
