from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from tracker.blueprints.forms import NONE, none_if_zero, required
from tracker.blueprints.picking import person_picker, unit_picker
from tracker.models import Role, UnitKind
from tracker.services import organisation


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), Length(max=100)])
    kind = SelectField(_l("Kind"), validators=[required()])
    peer_group = StringField(
        _l("Peer group"),
        validators=[Optional(), Length(max=50)],
        render_kw={"list": "peer-groups"},
        description=_l("Units are ranked against the others of their group."),
    )
    liaison_unit_id = SelectField(_l("Liaison department"), coerce=none_if_zero)
    head_user_id = SelectField(_l("Head"), coerce=none_if_zero)
    leader_user_id = SelectField(_l("Leader in charge"), coerce=none_if_zero)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = UnitKind.choices()
        unit_picker(self.liaison_unit_id, empty=NONE[1], kinds=("department",))
        person_picker(self.head_user_id, empty=NONE[1])
        self.leader_user_id.choices = [NONE, *organisation.user_choices(roles=("leader",))]


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[required(), Length(max=100)])
    email = StringField(_l("E-mail (for reminders)"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[required()])
    unit_id = SelectField(_l("Unit"), coerce=none_if_zero)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        unit_picker(self.unit_id, empty=NONE[1])


class UserCreateForm(UserEditForm):
    username = StringField(
        _l("Username"),
        validators=[required(), Length(max=50)],
        description=_l("3 to 50 letters, digits, '.', '_' or '-'."),
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[required(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[required(), Length(max=128)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set password"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("Workbook (.xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["xlsx"], _l("Only .xlsx workbooks can be imported.")),
        ],
    )
    submit = SubmitField(_l("Import"))
