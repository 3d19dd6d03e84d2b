from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, Length

from tracker.blueprints.forms import required


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[required(), Length(max=50)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[required(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Stay logged in on this device"))
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[required()])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[required(), Length(max=128)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[required(), EqualTo("new_password",
                                        message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))
