"""What every HTML blueprint shares: the confirm form, id choices, field errors, query strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField as _DateField
from wtforms import Field, StringField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from tracker.services import validation
from tracker.services.errors import InvalidInput

NONE = (0, "—")  # the empty choice of a select whose value is an id

# The one message of a missing value, in forms as in the services and the API (not WTForms'
# own wording, which differs): ``validators=[required()]``, ``[input_required()]``.
REQUIRED = _l("This field is required.")


def required() -> DataRequired:
    """A value is required (text: not blank)."""
    return DataRequired(REQUIRED)


def input_required() -> InputRequired:
    """A value is required (numbers and dates: 0 is a value)."""
    return InputRequired(REQUIRED)


UNMARKED_TYPES = ("SubmitField", "HiddenField", "CSRFTokenField")


def mark_required(html: Markup, fields) -> Markup:
    """``html`` (a form drawn by Bootstrap-Flask) with the label of each required field marked."""
    for field in fields:
        if field.flags.required and field.type not in UNMARKED_TYPES:
            end = Markup('for="{}">{}</label>').format(field.id, field.label.text)
            marked = Markup('for="{}">{}<abbr class="required-mark" title="{}">*</abbr></label>').format(
                field.id, field.label.text, _("Required"))
            html = html.replace(end, marked, 1)
    return html


def none_if_zero(value):
    """Coerce a select's value to an id, the empty choice (0, "" or "None") to None."""
    return int(value) or None if value not in (None, "", "None") else None


class DateField(_DateField):
    """A date field that refuses days outside the years the product computes with."""

    def pre_validate(self, form):
        if self.data is not None and not validation.in_range(self.data):
            raise ValidationError(_l("Enter a date between %(first)s and %(last)s.",
                                     first=validation.EARLIEST.isoformat(),
                                     last=validation.LATEST.isoformat()))


class IdsField(Field):
    """The ids ticked in a group of checkboxes of one name; what is not an id is left out."""

    def process_formdata(self, valuelist):
        self.data = [i for i in (parse_int(value) for value in valuelist) if i is not None]

    def process_data(self, value):
        self.data = list(value or [])


class IdField(Field):
    """An id chosen or typed: what is not an id is None."""

    def process_formdata(self, valuelist):
        self.data = parse_int(valuelist[0]) if valuelist else None

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class WholeNumberField(StringField):
    """A whole number as typed: what is not one is 0, for the service to refuse with its message."""

    def process_data(self, value):
        self.data = value

    def process_formdata(self, valuelist):
        typed = valuelist[0].strip() if valuelist else ""
        self.data = int(typed) if typed.isascii() and typed.lstrip("-").isdigit() \
            and len(typed) < 10 else 0

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class NumberField(StringField):
    """A decimal number as typed: blank is None, and what is not a number NaN — for the
    service to refuse with its message, as it refuses a number out of its range."""

    def process_data(self, value):
        self.data = None if value is None else Decimal(str(value))
        self.shown = "" if value is None else f"{value:g}"

    def process_formdata(self, valuelist):
        typed = (valuelist[0] if valuelist else "").strip().replace("，", "")
        if not typed:
            self.data = None
            return
        try:
            self.data = Decimal(typed)
        except InvalidOperation:
            self.data = Decimal("NaN")

    def _value(self):
        return self.raw_data[0] if self.raw_data else self.shown


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token."""


CONFIRMED = "yes"


class StepConfirmForm(FlaskForm):
    """The form of a confirmation page: the irreversible step is taken only with ``confirm=yes``.

    A POST without it (a one-click form, a forged button) is refused and changes nothing;
    the route shows the confirmation page again with :data:`NOT_CONFIRMED`.
    """

    confirm = StringField()

    def confirmed(self) -> bool:
        return self.validate_on_submit() and self.confirm.data == CONFIRMED


NOT_CONFIRMED = _l("Nothing has been done yet: read what this step does and confirm it below.")


def apply_errors(form: FlaskForm, error: InvalidInput) -> None:
    """Show a service's field errors on the form's fields (others as a message)."""
    shown = False
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            shown = True
        else:
            flash(message, "danger")
    if not shown and not error.fields:
        flash(error.message, "danger")
    form.form_errors.append(error.message)


def parse_int(value: str | None) -> int | None:
    """Return a positive int from a query string, or None."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def parse_date(value: str | None) -> date | None:
    """Return a date from ``YYYY-MM-DD`` within the product's years, or None."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or validation.in_range(day) else None
