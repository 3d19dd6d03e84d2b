"""The steps every kind of draft shares on the web (services/drafts.py): return, discard, files.

Each area's routes load the draft, check the policy and delegate here; the area says
where the user goes back to.
"""

from flask import current_app, flash, send_file
from flask_babel import gettext as _

from tracker.blueprints import actor
from tracker.blueprints.forms import ConfirmForm
from tracker.services.drafts import DraftKind
from tracker.services.errors import InvalidInput
from tracker.unit_of_work import attempt


def return_draft(kind: DraftKind, draft, form) -> None:
    """The head returns the draft with the comment of ``form``; the outcome is flashed."""
    if not form.validate_on_submit():
        flash(_("Write what the author should change."), "danger")
        return
    try:
        with attempt():
            kind.return_draft(actor(), draft, comment=form.comment.data)
    except InvalidInput as error:
        for message in error.fields.values():
            flash(message, "danger")
    else:
        flash(_("Draft returned to its author."), "success")


def discard(kind: DraftKind, draft) -> None:
    """The author discards the draft, once confirmed."""
    if ConfirmForm().validate_on_submit():
        kind.discard(actor(), draft)
        flash(_("Draft discarded."), "success")


def send(item):
    """A draft's file: PDFs and pictures shown in the browser, anything else downloaded."""
    path = f"{current_app.config['UPLOAD_FOLDER']}/{item.stored_name}"
    inline = item.content_type in ("application/pdf", "image/png", "image/jpeg")
    return send_file(path, mimetype=item.content_type, as_attachment=not inline,
                     download_name=item.original_name, max_age=0)
