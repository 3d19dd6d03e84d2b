from datetime import datetime, time, timedelta

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false

from tracker import clock
from tracker.blueprints import actor, load, require
from tracker.blueprints.admin import bp
from tracker.blueprints.admin.forms import (
    ImportForm,
    PasswordResetForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
)
from tracker.blueprints.forms import ConfirmForm, apply_errors, parse_date, parse_int
from tracker.extensions import db
from tracker.media_types import XLSX
from tracker.models import ROLES, UNIT_KINDS, AuditEvent, Unit, User
from tracker.services import audit, org_import, organisation, pagination, pickers, settings
from tracker.services.errors import InvalidInput, RowErrors
from tracker.services.pagination import Cursor
from tracker.unit_of_work import attempt


def _page():
    return parse_int(request.args.get("page")) or 1


# Units ---------------------------------------------------------------------


@bp.route("/units")
@require("unit.manage")
def units():
    args = request.args
    kind = args.get("kind") if args.get("kind") in UNIT_KINDS else None
    stmt = organisation.units_query(
        q=args.get("q", "")[:100], kind=kind, peer_group=args.get("peer_group") or None,
        include_archived=args.get("archived") == "1",
    )
    page = db.paginate(stmt, page=_page(), per_page=50, error_out=False)
    return render_template("admin/units.html", page=page, kinds=UNIT_KINDS,
                           peer_groups=organisation.peer_groups(), confirm=ConfirmForm())


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@require("unit.manage")
def unit_form(unit_id=None):
    unit = load(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in organisation.UNIT_FIELDS}
        try:
            with attempt():
                if unit is None:
                    unit = organisation.create_unit(actor(), **values)
                else:
                    organisation.update_unit(actor(), unit, **values)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Unit “%(name)s” saved.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit,
                           peer_groups=organisation.peer_groups()), 400 if form.errors else 200


@bp.route("/units/<int:unit_id>/archive", methods=["POST"])
@require("unit.manage")
def unit_archive(unit_id):
    unit = load(Unit, unit_id)
    if ConfirmForm().validate_on_submit():
        archived = request.form.get("restore") != "1"
        organisation.set_unit_archived(actor(), unit, archived)
        flash(_("Unit “%(name)s” archived.", name=unit.name) if archived
              else _("Unit “%(name)s” restored.", name=unit.name), "success")
    return redirect(url_for("admin.units"))


# Users ---------------------------------------------------------------------


@bp.route("/users")
@require("user.list")
def users():
    args = request.args
    unit = pickers.pick_unit(current_user, args.get("unit"), parse_int(args.get("unit_id")))
    stmt = organisation.users_query(
        q=args.get("q", "")[:100], role=args.get("role") if args.get("role") in ROLES else None,
        unit_id=pickers.filter_id(unit),
    )
    page = db.paginate(stmt, page=_page(), per_page=50, error_out=False)
    return render_template("admin/users.html", page=page, roles=ROLES, unit=unit, confirm=ConfirmForm(),
                           now=clock.now())


@bp.route("/users/new", methods=["GET", "POST"])
@require("user.manage")
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        fields = ("username", "display_name", "email", "role", "unit_id", "password")
        try:
            with attempt():
                user = organisation.create_user(actor(), **{f: getattr(form, f).data for f in fields})
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("User “%(name)s” created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (
        400 if form.errors else 200)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("user.manage")
def user_edit(user_id):
    user = load(User, user_id)
    form = UserEditForm(obj=user)
    password_form = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        try:
            with attempt():
                organisation.update_user(actor(), user, display_name=form.display_name.data,
                                         email=form.email.data, role=form.role.data,
                                         unit_id=form.unit_id.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("User “%(name)s” saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           password_form=password_form, confirm=ConfirmForm()), (
        400 if form.errors else 200)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require("user.manage")
def user_password(user_id):
    user = load(User, user_id)
    form = PasswordResetForm(prefix="reset")
    if form.validate_on_submit():
        try:
            with attempt():
                organisation.set_password(actor(), user, form.password.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("The password of “%(name)s” was reset.", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=UserEditForm(obj=user), user=user,
                           password_form=form, confirm=ConfirmForm()), 400


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@require("user.manage")
def user_active(user_id):
    user = load(User, user_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        organisation.set_user_active(actor(), user, active)
        flash(_("Account “%(name)s” reactivated.", name=user.username) if active
              else _("Account “%(name)s” deactivated.", name=user.username), "success")
    return redirect(url_for("admin.users"))


# Import --------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@require("org.import")
def org_import_page():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            with attempt():
                created = org_import.import_organisation(actor(), form.file.data.stream)
        except RowErrors as error:
            problems = error.rows
            flash(error.message, "danger")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Imported %(units)d units and %(users)d users.", **created), "success")
            return redirect(url_for("admin.units"))
    failed = bool(form.errors or problems)
    return render_template("admin/import.html", form=form, problems=problems), (
        400 if failed else 200)


@bp.route("/import/template.xlsx")
@require("org.import")
def org_import_template():
    return Response(org_import.template(), mimetype=XLSX, headers={
        "Content-Disposition": "attachment; filename=organisation-template.xlsx"})


# Settings ------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@require("setting.manage")
def settings_page():
    form = ConfirmForm()
    current = settings.values()
    shown = {d.key: settings.to_text(d, current[d.key]) for d in settings.DEFINITIONS}
    errors = {}
    if form.validate_on_submit():
        raw = {d.key: request.form.get(d.key, "") for d in settings.DEFINITIONS}
        try:
            with attempt():
                changed = settings.update(actor(), raw)
        except InvalidInput as error:
            errors = error.fields
            shown.update(raw)
            flash(error.message, "danger")
        else:
            flash(_("%(n)d settings changed.", n=len(changed)), "success")
            return redirect(url_for("admin.settings_page"))
    return render_template("admin/settings.html", form=form, shown=shown, errors=errors,
                           definitions=settings.DEFINITIONS, groups=settings.GROUPS), (
        400 if errors or form.errors else 200)


# Audit ---------------------------------------------------------------------


@bp.route("/audit")
@require("audit.view")
def audit_log():
    args = request.args
    since, until = parse_date(args.get("since")), parse_date(args.get("until"))
    zone = clock.zone()
    who = pickers.pick_user(current_user, args.get("user"), parse_int(args.get("user_id")))
    stmt = audit.query_events(
        user_id=who.id,
        object_type=args.get("object_type", "")[:50] or None,
        object_id=parse_int(args.get("object_id")),
        since=datetime.combine(since, time(), zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
    )
    if who.unknown:  # a name that names no single person: nothing matches
        stmt = stmt.where(false())
    # newest first, paged by (at, id): an old page costs what the first does
    page = pagination.keyset(stmt, AuditEvent.at, AuditEvent.id, per_page=50,
                             older_than=Cursor.parse(args.get("older_than")),
                             newer_than=Cursor.parse(args.get("newer_than")))
    return render_template("admin/audit.html", page=page, who=who)
