from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_remembered, login_required, login_user, logout_user

from tracker.blueprints import actor, limits
from tracker.blueprints.auth import bp
from tracker.blueprints.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from tracker.error_responses import locked_message
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


def sign_in(user, key: str, remember: bool = False) -> None:
    """Log ``user`` in on the server-side session ``key`` (``auth.start_session``).

    Flask-Login keeps the id it is given in the session cookie and the
    remember-me cookie and hands it back to ``load_user``: that id is the
    session's key, not the user's, so ending the session on the server ends
    both cookies.
    """
    login_user(user, remember=remember)
    session["_user_id"] = key
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limits.failed_logins
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        who = actor()
        outcome = auth.authenticate(who, form.username.data, form.password.data)
        if outcome.user is not None:
            sign_in(outcome.user, auth.start_session(who, outcome.user), form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
        if outcome.locked_until is not None:
            seconds = outcome.seconds_left(who.now)
            form.password.errors.append(locked_message(seconds))
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(seconds)}
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.route("/logout", methods=["POST"])
def logout():
    auth.end_session(actor(), session.get("_user_id"))
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
                key = organisation.change_own_password(who, who.user, form.current_password.data,
                                                       form.new_password.data)
        except InvalidInput as error:
            for field, message in error.fields.items():
                getattr(form, field).errors.append(message)
        else:
            # every other session and token has ended; this browser goes on, on a new session
            sign_in(who.user, key, login_remembered())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 400
