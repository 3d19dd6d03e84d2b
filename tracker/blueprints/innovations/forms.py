"""The forms of innovations: registering or editing one, scoring it, publishing the year."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from tracker.blueprints.forms import IdField, NumberField, WholeNumberField


class InnovationForm(FlaskForm):
    """An innovation's fields (the unit only when registering); the service says what is wrong."""

    unit_id = IdField()
    title = StringField()
    description = TextAreaField()
    year = WholeNumberField()

    def values(self, default_year: int) -> dict[str, str]:
        """The fields as typed, for the page to show them again."""
        return {"unit_id": self.unit_id._value(), "title": self.title.data or "",
                "description": self.description.data or "",
                "year": self.year._value() or str(default_year)}


class ScoreForm(FlaskForm):
    score = NumberField()
    next = HiddenField()


class PublishForm(FlaskForm):
    year = WholeNumberField()
