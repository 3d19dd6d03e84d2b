import re
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, MultipleFileField
from wtforms import (
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from tracker.blueprints.forms import NONE, DateField, input_required, none_if_zero, required
from tracker.blueprints.picking import unit_picker
from tracker.models import Heading, Recurrence
from tracker.services import organisation
from tracker.services.plans import (
    MilestoneInput,
    PlanInput,
    TaskChange,
    TaskInput,
)

OWNER_ROLES = ("unit_head", "unit_member", "office")
OWNER_OUTSIDE_UNIT = _l("The responsible person must work in the owner unit.")

MILESTONE_LINE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,3})\s*[%％]?\s*(.*)$")


class PlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[required(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[input_required(), NumberRange(2000, 2100)])
    doc_number = StringField(
        _l("Document number"),
        validators=[Optional(), Length(max=100)],
        description=_l("e.g. 区教发〔2026〕8号"),
    )
    issuing_unit_id = SelectField(_l("Issuing unit"), coerce=none_if_zero)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.issuing_unit_id, empty=NONE[1])

    def plan_input(self) -> PlanInput:
        """The plan the validated form describes."""
        return PlanInput(
            title=self.title.data,
            year=self.year.data,
            doc_number=self.doc_number.data or None,
            issuing_unit_id=self.issuing_unit_id.data,
        )


class MeasureForm(FlaskForm):
    heading = SelectField(_l("Heading"))
    title = StringField(_l("Measure"), validators=[required(), Length(max=200)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.heading.choices = Heading.choices()


def milestones_to_text(milestones) -> str:
    return "\n".join(f"{m.on.isoformat()} {m.percent}% {m.title or ''}".rstrip() for m in milestones)


def parse_milestone_lines(text: str | None) -> list[MilestoneInput]:
    """Turn lines like ``2026-10-15 30% 完成摸底`` into milestones (ValueError if not)."""
    result = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = MILESTONE_LINE.match(line)
        if match is None:
            raise ValueError(number)
        year, month, day = (int(x) for x in match.group(1).split("-"))
        try:
            on = date(year, month, day)
        except ValueError:
            raise ValueError(number) from None
        result.append(MilestoneInput(on=on, percent=int(match.group(2)), title=match.group(3) or None))
    return result


class TaskForm(FlaskForm):
    measure_id = SelectField(_l("Measure"), coerce=int)
    title = StringField(_l("Task"), validators=[required(), Length(max=200)])
    standard = TextAreaField(
        _l("Standard (what counts as done)"), validators=[required(), Length(max=4000)], render_kw={"rows": 3}
    )
    # units: grouped by kind, by pinyin, no default (js/unit-picker.js types ahead in them)
    owner_unit_id = SelectField(
        _l("Owner unit"), coerce=none_if_zero, validators=[required()], render_kw={"data-unit-picker": "one"}
    )
    # the people of the chosen unit (js/unit-picker.js asks /pickers/users?unit_id= on a change)
    owner_user_id = SelectField(
        _l("Owner person"),
        coerce=none_if_zero,
        validate_choice=False,
        render_kw={"data-owner-of": "owner_unit_id"},
    )
    leader_user_id = SelectField(_l("Leader in charge"), coerce=none_if_zero)
    co_unit_ids = SelectMultipleField(
        _l("Co-units"), coerce=int, render_kw={"size": 8, "data-unit-picker": "many"}
    )
    starts_on = DateField(_l("Starts on"), validators=[input_required()])
    due_on = DateField(_l("Due on"), validators=[input_required()])
    milestones = TextAreaField(
        _l("Milestones"),
        render_kw={"rows": 3, "placeholder": "2026-10-15 30% 完成摸底\n2026-10-31 100%"},
        description=_l(
            "One per line: date, cumulative planned percent, optional title. "
            "Without milestones the plan is linear from start to due date."
        ),
    )
    weight = FloatField(_l("Weight"), default=1, validators=[input_required(), NumberRange(0.01, 100)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=50)])
    recurrence = SelectField(_l("Repeats"))
    submit = SubmitField(_l("Save"))

    def __init__(self, measures, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_id.choices = [(m.id, f"{Heading.label_of(m.heading)} · {m.title}") for m in measures]
        picking = {
            "data-picker": url_for("main.pick_units"),
            "data-picker-placeholder": _l("Type to search units"),
            "data-picker-none": _l("No match"),
            "data-picker-more": _l("More match than shown: keep typing."),
            "data-picker-remove": _l("Remove"),
        }
        self.owner_unit_id.render_kw = {**self.owner_unit_id.render_kw, **picking}
        self.co_unit_ids.render_kw = {**self.co_unit_ids.render_kw, **picking}
        self.owner_user_id.render_kw = {
            **self.owner_user_id.render_kw,
            "data-picker": url_for("main.pick_users"),
        }
        units = organisation.grouped_unit_choices()
        self.owner_unit_id.choices = {None: [("", _l("Choose a unit…"))], **units}
        self.co_unit_ids.choices = units
        self.owner_user_id.choices = self._owner_choices(self.owner_unit_id.data)
        self.leader_user_id.choices = [NONE, *organisation.user_choices(roles=("leader",))]
        self.recurrence.choices = Recurrence.choices()

    @staticmethod
    def _owner_choices(unit_id: int | None):
        """The people of ``unit_id``; with no unit chosen yet, everyone who may own a task,
        grouped by unit (so that the form works without script too)."""
        if unit_id is not None:
            return [NONE, *organisation.user_choices(roles=OWNER_ROLES, unit_id=unit_id)]
        return {None: [NONE], **organisation.grouped_user_choices(roles=OWNER_ROLES)}

    def validate_owner_user_id(self, field):
        if field.data is None:
            return
        if not any(
            value == field.data
            for value, _label in organisation.user_choices(roles=OWNER_ROLES, unit_id=self.owner_unit_id.data)
        ):
            raise ValidationError(OWNER_OUTSIDE_UNIT)

    def _task_fields(self, milestones: list[MilestoneInput]) -> dict:
        return {
            "measure_id": self.measure_id.data,
            "title": self.title.data,
            "standard": self.standard.data,
            "owner_unit_id": self.owner_unit_id.data,
            "owner_user_id": self.owner_user_id.data,
            "leader_user_id": self.leader_user_id.data,
            "starts_on": self.starts_on.data,
            "due_on": self.due_on.data,
            "weight": self.weight.data,
            "category": self.category.data or None,
            "recurrence": self.recurrence.data,
            "milestones": milestones,
            "co_unit_ids": self.co_unit_ids.data or [],
        }

    def task_input(self, milestones: list[MilestoneInput]) -> TaskInput:
        """The new task the validated form describes, with the milestones read from its text."""
        return TaskInput(**self._task_fields(milestones))

    def task_change(self, milestones: list[MilestoneInput]) -> TaskChange:
        """The validated form as a change of every field it shows."""
        return TaskChange(**self._task_fields(milestones))


class ReportForm(FlaskForm):
    percent = IntegerField(
        _l("Progress (%)"),
        validators=[input_required(), NumberRange(0, 100)],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
    )
    narrative = TextAreaField(
        _l("What was done"), validators=[required(), Length(max=4000)], render_kw={"rows": 3}
    )
    reported_on = DateField(_l("Reported on (paper ledgers only)"), validators=[Optional()])
    files = MultipleFileField(
        _l("Evidence (PDF, JPG, PNG, DOCX, XLSX)"),
        validators=[
            FileAllowed(
                ["pdf", "jpg", "jpeg", "png", "docx", "xlsx"],
                _l("Only PDF, JPG, PNG, DOCX and XLSX files are accepted."),
            )
        ],
    )
    # required when the percent is below the latest report's (services/ledger.py check_lowering)
    reason = TextAreaField(
        _l("Reason, if the progress is lower than reported before"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Submit report"))


class CorrectForm(ReportForm):
    """A correction of the latest report: a new entry superseding it (no date of its own)."""

    submit = SubmitField(_l("Save the correction"))


class ReturnDraftForm(FlaskForm):
    comment = TextAreaField(
        _l("What to change"), validators=[required(), Length(max=2000)], render_kw={"rows": 2}
    )
    submit = SubmitField(_l("Return to the author"))


class VerifyForm(FlaskForm):
    # no decision is chosen for the office: an unchosen one is refused on the claim's card
    decision = RadioField(_l("Decision"), validators=[input_required()])
    reason = TextAreaField(
        _l("Reason for returning"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    submit = SubmitField(_l("Record decision"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [
            ("accept", _l("Verify: the standard is met")),
            ("return", _l("Return with a reason")),
        ]


class ImportTasksForm(FlaskForm):
    file = FileField(
        _l("Responsibility list (.xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["xlsx"], _l("Only .xlsx workbooks can be imported.")),
        ],
    )
    submit = SubmitField(_l("Import"))
