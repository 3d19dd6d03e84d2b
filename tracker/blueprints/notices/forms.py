"""Forms of the notices area."""

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
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.blueprints.forms import NONE, DateField, none_if_zero
from tracker.models import NoticeSource
from tracker.services import organisation


class IssueForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=none_if_zero)
    source_type = SelectField(_l("Source"))
    source_id = HiddenField()
    problems = TextAreaField(_l("Problems found"), validators=[DataRequired(), Length(max=4000)],
                             render_kw={"rows": 5})
    requirements = TextAreaField(_l("Rectification requirements 整改要求"),
                                 validators=[DataRequired(), Length(max=4000)], render_kw={"rows": 5})
    due_on = DateField(_l("Deadline 整改时限"), validators=[InputRequired()])
    submit = SubmitField(_l("Issue the notice"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [NONE, *organisation.unit_choices()]
        self.source_type.choices = NoticeSource.choices()


class ReportForm(FlaskForm):
    text = TextAreaField(_l("Rectification report"), validators=[DataRequired(), Length(max=8000)],
                         render_kw={"rows": 6})
    files = MultipleFileField(_l("Evidence (PDF, JPG, PNG, DOCX, XLSX)"))
    submit = SubmitField(_l("Submit the report"))


class VerifyForm(FlaskForm):
    decision = RadioField(_l("Decision"), validators=[InputRequired()], default="accept")
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [("accept", _l("Accept: verified")), ("return", _l("Return with a reason"))]


class InspectionForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=none_if_zero)
    inspected_on = DateField(_l("Date"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    inspectors = StringField(_l("Inspectors"), validators=[DataRequired(), Length(max=200)])
    is_unannounced = BooleanField(_l("Unannounced (暗访)"), default=True)
    findings = TextAreaField(_l("What was found"), validators=[DataRequired(), Length(max=4000)],
                             render_kw={"rows": 6})
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [NONE, *organisation.unit_choices()]

