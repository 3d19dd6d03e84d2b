"""The forms of the ratings area: a round with its rows, its batches of codes, publishing."""

from __future__ import annotations

import math

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, StringField

from tracker.blueprints.forms import IdsField, NumberField
from tracker.services import ratings
from tracker.services.errors import InvalidInput

EXTRA_ROWS = 2  # blank rows on the form for another dimension or group


class DimensionRow(Form):
    key = StringField()
    name = StringField()

    def is_blank(self) -> bool:
        return not (self.key.data or "").strip() and not (self.name.data or "").strip()


class GroupRow(Form):
    key = StringField()
    name = StringField()
    weight = NumberField()

    def is_blank(self) -> bool:
        return (not (self.key.data or "").strip() and not (self.name.data or "").strip()
                and not (self.weight.raw_data or [''])[0].strip())


class RoundForm(FlaskForm):
    """A round: title, period, the units ticked, a row per dimension and per rater group.

    Blank rows are left out. Errors are keyed as the service names them
    (``groups.<i>.weight``), ``<i>`` being the row's place on the form.
    """

    title = StringField()
    period = StringField()
    unit_ids = IdsField()
    dimensions = FieldList(FormField(DimensionRow))
    groups = FieldList(FormField(GroupRow))

    @classmethod
    def for_round(cls, values: ratings.RoundInput) -> RoundForm:
        """The form showing ``values``, with blank rows to add more."""
        form = cls(data={
            "title": values.title, "period": values.period, "unit_ids": list(values.unit_ids),
            "dimensions": [{"key": d.key, "name": d.name} for d in values.dimensions or ()],
            "groups": [{"key": g.key, "name": g.name, "weight": g.weight} for g in values.groups or ()]})
        for _i in range(EXTRA_ROWS):
            form.dimensions.append_entry()
            form.groups.append_entry()
        return form

    def _filled(self, rows: FieldList) -> list[tuple[int, Form]]:
        return [(place, entry.form) for place, entry in enumerate(rows) if not entry.form.is_blank()]

    def round_input(self) -> ratings.RoundInput:
        """The round the validated form describes; a weight left blank is NaN, not a number."""
        dimensions = self._filled(self.dimensions)
        groups = self._filled(self.groups)
        return ratings.RoundInput(
            title=self.title.data or "", period=self.period.data or "", unit_ids=self.unit_ids.data,
            dimensions=[ratings.DimensionInput(key=row.key.data or "", name=row.name.data or "")
                        for _place, row in dimensions],
            groups=[ratings.GroupInput(key=row.key.data or "", name=row.name.data or "",
                                       weight=math.nan if row.weight.data is None
                                       else float(row.weight.data)) for _place, row in groups])

    def row_errors(self, error: InvalidInput) -> dict[str, str]:
        """The service's errors, each row's keyed by its place on the form."""
        places = {"dimensions": [place for place, _row in self._filled(self.dimensions)],
                  "groups": [place for place, _row in self._filled(self.groups)]}
        shown: dict[str, str] = {}
        for name, message in error.fields.items():
            parts = name.split(".")
            if len(parts) > 1 and parts[0] in places and parts[1].isdigit() \
                    and int(parts[1]) < len(places[parts[0]]):
                parts[1] = str(places[parts[0]][int(parts[1])])
            shown[".".join(parts)] = message
        return shown

    def field_errors(self) -> dict[str, str]:
        """What the form itself refused, keyed as ``row_errors`` keys them."""
        shown: dict[str, str] = {}
        for name in ("title", "period", "unit_ids"):
            if getattr(self, name).errors:
                shown[name] = str(getattr(self, name).errors[0])
        for rows in (self.dimensions, self.groups):
            for place, entry in enumerate(rows):
                for field in entry.form:
                    if field.errors:
                        shown[f"{rows.name}.{place}.{field.short_name}"] = str(field.errors[0])
        return shown


class CountField(IntegerField):
    """A count of codes: what is not a whole number counts none, which the service refuses."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = 0


class InvitationsForm(FlaskForm):
    group = StringField()
    count = CountField(default=0)


class PublishForm(FlaskForm):
    public = HiddenField(default="1")

    def is_public(self) -> bool:
        return self.public.data != "0"
