from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.blueprints import actor
from tracker.blueprints.auth import bp
from tracker.blueprints.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from tracker.extensions import limiter
from tracker.services import auth, organisation
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = auth.authenticate(actor(), form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
        form.password.errors.append(
            _("Wrong username or password, or the account is locked for a while.")
        )
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data, url_for("main.dashboard")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with attempt():
                who = actor()
                organisation.change_own_password(who, who.user, form.current_password.data,
                                                 form.new_password.data)
        except InvalidInput as error:
            for field, message in error.fields.items():
                getattr(form, field).errors.append(message)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 400
