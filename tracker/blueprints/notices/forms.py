"""Forms of the notices area: each turns what was posted into the notices service's typed values."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, StopValidation

from tracker.blueprints.forms import DateField, input_required, none_if_zero, parse_int, required
from tracker.blueprints.picking import unit_picker
from tracker.models import NoticeSource
from tracker.services.notices import InspectionInput, NoticeInput


def _unit_chosen(form, field):
    """The unit select's empty choice is refused (a value that is no choice is refused already)."""
    if field.data is None and not field.errors:
        raise StopValidation(_l("Choose a unit."))


class IssueForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=none_if_zero, validators=[_unit_chosen])
    source_type = SelectField(_l("Source"))
    source_id = HiddenField()
    problems = TextAreaField(
        _l("Problems found"), validators=[required(), Length(max=4000)], render_kw={"rows": 5}
    )
    requirements = TextAreaField(
        _l("Rectification requirements 整改要求"),
        validators=[required(), Length(max=4000)],
        render_kw={"rows": 5},
    )
    due_on = DateField(_l("Deadline 整改时限"), validators=[input_required()])
    submit = SubmitField(_l("Preview the notice"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.unit_id)
        self.source_type.choices = NoticeSource.choices()

    def notice_input(self) -> NoticeInput:
        """The notice the validated form describes; a source number that is no id names no source."""
        return NoticeInput(
            unit_id=self.unit_id.data,
            source_type=NoticeSource(self.source_type.data),
            source_id=parse_int(self.source_id.data),
            problems=self.problems.data,
            requirements=self.requirements.data,
            due_on=self.due_on.data,
        )


class ReportForm(FlaskForm):
    text = TextAreaField(
        _l("Rectification report"), validators=[required(), Length(max=8000)], render_kw={"rows": 6}
    )
    files = MultipleFileField(_l("Evidence (PDF, JPG, PNG, DOCX, XLSX)"))
    submit = SubmitField(_l("Submit the report"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawing"), validators=[required(), Length(max=2000)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Withdraw the notice"))


class VerifyForm(FlaskForm):
    decision = RadioField(_l("Decision"), validators=[input_required()], default="accept")
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("accept", _l("Accept: verified")), ("return", _l("Return with a reason"))]


class InspectionForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=none_if_zero, validators=[_unit_chosen])
    inspected_on = DateField(_l("Date"), validators=[input_required()])
    place = StringField(_l("Place"), validators=[required(), Length(max=200)])
    inspectors = StringField(_l("Inspectors"), validators=[required(), Length(max=200)])
    is_unannounced = BooleanField(_l("Unannounced (暗访)"), default=True)
    findings = TextAreaField(
        _l("What was found"), validators=[required(), Length(max=4000)], render_kw={"rows": 6}
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.unit_id)

    def inspection_input(self) -> InspectionInput:
        return InspectionInput(
            unit_id=self.unit_id.data,
            inspected_on=self.inspected_on.data,
            place=self.place.data,
            inspectors=self.inspectors.data,
            findings=self.findings.data,
            is_unannounced=bool(self.is_unannounced.data),
        )
