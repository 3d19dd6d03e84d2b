"""Forms of the complaint pages: the public's and the office's and units'.

Each form turns what was posted into the typed values the complaints service takes
(``ComplaintInput``, ``ReplyInput``, ids, dates, enums); a value of the wrong shape is
refused here, naming its field.
"""

from dataclasses import replace

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
from wtforms.validators import Length, Optional, ValidationError

from tracker.blueprints.forms import DateField, parse_int, required
from tracker.blueprints.picking import unit_picker
from tracker.models.complaints import ComplaintCategory, ComplaintChannel, SatisfactionRating
from tracker.services import organisation
from tracker.services.complaints import ComplaintInput, ReplyInput

NOT_AN_ID = -1  # what no id can be: not a number, or beyond the database's integers


def _int_or_none(value):
    """The id chosen (None for none); ``NOT_AN_ID`` for what no id can be (``UnitChoice`` refuses it)."""
    try:
        number = int(value) if value not in (None, "", "0") else None
    except (TypeError, ValueError):
        return NOT_AN_ID
    return number if number is None or 0 < number < 2**31 else NOT_AN_ID


class UnitChoice:
    """A unit's id from a select or a picker: what is no id is refused; with ``required``, so is none."""

    def __init__(self, required: bool = False):
        self.required = required

    def __call__(self, form, field):
        if field.data == NOT_AN_ID:
            raise ValidationError(_l("Choose a unit from the list."))
        if self.required and field.data is None:
            raise ValidationError(_l("Choose a unit."))


class ComplaintForm(FlaskForm):
    category = SelectField(_l("What kind of problem"), validators=[required()])
    unit_id = SelectField(
        _l("Which unit"), coerce=_int_or_none, validate_choice=False, validators=[UnitChoice()]
    )
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("What happened"), validators=[required(), Length(max=5000)])
    happened_on = DateField(_l("When it happened"), validators=[Optional()])
    files = MultipleFileField(_l("Photos or PDF (up to 3)"))
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)])
    contact = StringField(_l("Phone or e-mail (optional)"), validators=[Optional(), Length(max=200)])
    website = StringField(_l("Leave this field empty"))  # the honeypot
    submit = SubmitField(_l("Send the complaint"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose…")), *ComplaintCategory.choices()]
        self.unit_id.choices = [(0, _l("Not sure"))] + list(organisation.unit_choices())

    def complaint_input(self) -> ComplaintInput:
        """The complaint the validated form describes, as the public files it on the website."""
        return ComplaintInput(
            category=ComplaintCategory(self.category.data),
            description=self.description.data,
            unit_id=self.unit_id.data,
            subject=self.subject.data or None,
            happened_on=self.happened_on.data,
            name=self.name.data or None,
            contact=self.contact.data or None,
        )


class OfficeComplaintForm(ComplaintForm):
    """The office records a complaint received by hotline, letter, visit or mailbox."""

    channel = SelectField(_l("Channel"), validators=[required()])
    on = DateField(_l("Received on"), validators=[Optional()])
    external_id = StringField(_l("Hotline case number (optional)"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = ComplaintChannel.choices()
        unit_picker(self.unit_id, empty=_l("Not sure"))

    def complaint_input(self) -> ComplaintInput:
        """The complaint the validated form describes, received through ``channel`` on ``on``."""
        return replace(
            super().complaint_input(),
            channel=ComplaintChannel(self.channel.data),
            external_id=self.external_id.data or None,
            on=self.on.data,
        )


class TrackForm(FlaskForm):
    code = StringField(_l("Tracking code"), validators=[required(), Length(max=40)])
    submit = SubmitField(_l("Look it up"))


class RateForm(FlaskForm):
    code = HiddenField()
    rating = RadioField(_l("How satisfied are you with the handling?"), validators=[required()])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])
    reopen = BooleanField(_l("Not satisfied: ask for the case to be handled again (only once)"))
    submit = SubmitField(_l("Send the rating"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = SatisfactionRating.choices()

    def rating_chosen(self) -> SatisfactionRating:
        return SatisfactionRating(self.rating.data)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[required(), Length(max=2000)])
    reply_due_on = DateField(_l("New reply deadline"), validators=[Optional()])
    submit = SubmitField(_l("Send"))


class DuplicateForm(FlaskForm):
    of_id = StringField(_l("Duplicate of complaint no."), validators=[required(), Length(max=10)])
    submit = SubmitField(_l("Mark as duplicate"))

    def validate_of_id(self, field):
        if self.original_id() is None:
            raise ValidationError(_l("No such complaint."))

    def original_id(self) -> int | None:
        """The number typed (``#12`` or ``12``), or None when it is none."""
        return parse_int((self.of_id.data or "").lstrip("#").strip())


class _DispatchDetails(FlaskForm):
    reply_due_on = DateField(_l("Reply deadline"), validators=[Optional()])
    on = DateField(_l("Dispatched on (a paper step)"), validators=[Optional()])
    submit = SubmitField(_l("Dispatch"))


class DispatchForm(_DispatchDetails):
    unit_id = SelectField(
        _l("Dispatch to"), coerce=_int_or_none, validate_choice=False, validators=[UnitChoice(required=True)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.unit_id, empty=_l("Choose…"))


class BulkDispatchForm(_DispatchDetails):
    """Dispatch from the queue: the unit chosen in a picker (its id here, its name in ``unit``),
    never a drop-down of every unit."""

    unit_id = HiddenField(_l("Dispatch to"), filters=[_int_or_none])


class ReplyForm(FlaskForm):
    template_id = SelectField(_l("Start from a template"), validate_choice=False)
    text = TextAreaField(_l("Reply"), validators=[required(), Length(max=5000)])
    files = MultipleFileField(_l("Files (PDF, JPG, PNG; up to 3)"))
    on = DateField(_l("Received on (a reply on paper)"), validators=[Optional()])
    submit = SubmitField(_l("Send the reply"))

    def reply_input(self) -> ReplyInput:
        return ReplyInput(text=self.text.data, on=self.on.data)


class CloseForm(FlaskForm):
    resolved = RadioField(_l("Outcome"), validators=[required()])
    submit = SubmitField(_l("Close"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolved.choices = [("yes", _l("Resolved")), ("no", _l("Not resolved"))]


class SimpleForm(FlaskForm):
    """A button: accept, publish, unpublish, delete (CSRF only)."""

    on = DateField(_l("On (a paper step)"), validators=[Optional()])
    submit = SubmitField(_l("Confirm"))


class TemplateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[required(), Length(max=100)])
    body = TextAreaField(_l("Text"), validators=[required(), Length(max=5000)])
    submit = SubmitField(_l("Save"))
