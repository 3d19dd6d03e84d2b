"""What every HTML blueprint shares: the confirm form, id choices, field errors, query strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from tracker.services import validation
from tracker.services.errors import InvalidInput

NONE = (0, "—")  # the empty choice of a select whose value is an id


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


class NumberField(StringField):
    """A decimal number as typed: blank is None (or refused when ``required``), text refused.

    ``data`` is a finite ``Decimal``; ``message`` is what the field says of
    text that is not one.
    """

    def __init__(self, label=None, validators=None, message=None, required=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Enter a number.")
        self.required = required
        self.text = ""

    def process_data(self, value):
        self.data = None if value is None else Decimal(str(value))
        self.text = "" if value is None else f"{value:g}"

    def process_formdata(self, valuelist):
        self.text = valuelist[0] if valuelist else ""
        self.data = None
        typed = self.text.strip().replace("，", "")
        if not typed:
            if self.required:
                raise ValueError(_l("This field is required."))
            return
        try:
            number = Decimal(typed)
        except InvalidOperation:
            raise ValueError(self.message) from None
        if not number.is_finite():
            raise ValueError(self.message)
        self.data = number

    def _value(self):
        return self.text


class ConfirmForm(FlaskForm):
    """An empty form: a button with its CSRF token."""


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
