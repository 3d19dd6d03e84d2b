"""The work chat: the office's and the units' group robots, and the messages sent to them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from tracker.blueprints import actor, load, require
from tracker.blueprints.admin import bp
from tracker.blueprints.forms import ConfirmForm, apply_errors, parse_int, required
from tracker.extensions import db
from tracker.models import CHAT_DELIVERY_STATUSES, ChatDelivery, ChatKind, Unit
from tracker.services import work_chat
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


class RobotForm(FlaskForm):
    kind = SelectField(_l("Robot"), validators=[required()])
    url = StringField(_l("Webhook address"), validators=[Optional(), Length(max=500)],
                      render_kw={"autocomplete": "off", "spellcheck": "false"},
                      description=_l("As the robot shows it when it is added to the group. "
                                     "Leave blank to keep the stored address."))
    secret = StringField(_l("Signing secret (DingTalk, optional)"),
                         validators=[Optional(), Length(max=200)],
                         render_kw={"autocomplete": "off", "spellcheck": "false"},
                         description=_l("SEC…, when the DingTalk robot's security setting is “sign”. "
                                        "Leave blank to keep the stored secret."))
    clear_secret = BooleanField(_l("Remove the stored secret"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = ChatKind.choices()


@bp.route("/chat")
@require("chat.manage")
def chat():
    status = request.args.get("status")
    status = status if status in CHAT_DELIVERY_STATUSES else None
    page = db.paginate(work_chat.deliveries_query(status), page=parse_int(request.args.get("page")) or 1,
                       per_page=50, error_out=False)
    return render_template("admin/chat.html", robots=work_chat.robots(), offices=work_chat.office_units(),
                           page=page, status=status, counts=work_chat.counts(), confirm=ConfirmForm(),
                           mask_url=work_chat.mask_url, mask_secret=work_chat.mask_secret)


@bp.route("/chat/units/<int:unit_id>", methods=["GET", "POST"])
@require("chat.manage")
def chat_robot(unit_id):
    unit = load(Unit, unit_id)
    robot = work_chat.robot_of(unit.id)
    form = RobotForm(data={"kind": robot.kind} if robot else None)
    if form.validate_on_submit():
        values = work_chat.RobotInput(kind=form.kind.data, url=form.url.data or "",
                                      secret=form.secret.data or "",
                                      clear_secret=bool(form.clear_secret.data))
        try:
            with attempt():
                work_chat.save_robot(actor(), unit, values)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("The robot of “%(name)s” was saved.", name=unit.name), "success")
            return redirect(url_for("admin.chat"))
    form.url.data = form.secret.data = ""  # what is stored is never sent back
    return render_template("admin/chat_robot.html", form=form, unit=unit, robot=robot,
                           confirm=ConfirmForm(), mask_url=work_chat.mask_url,
                           mask_secret=work_chat.mask_secret), 400 if form.errors else 200


@bp.route("/chat/units/<int:unit_id>/remove", methods=["POST"])
@require("chat.manage")
def chat_robot_remove(unit_id):
    unit = load(Unit, unit_id)
    robot = work_chat.robot_of(unit.id)
    if ConfirmForm().validate_on_submit() and robot is not None:  # removed already: nothing to do
        work_chat.remove_robot(actor(), robot)
        flash(_("The robot of “%(name)s” was removed.", name=unit.name), "success")
    return redirect(url_for("admin.chat"))


@bp.route("/chat/deliveries/<int:delivery_id>/retry", methods=["POST"])
@require("chat.manage")
def chat_retry(delivery_id):
    delivery = load(ChatDelivery, delivery_id)
    if ConfirmForm().validate_on_submit():
        work_chat.retry(actor(), delivery)
        flash(_("The message will be sent again within a few minutes."), "success")
    return redirect(url_for("admin.chat"))
