from flask import render_template

from tracker.blueprints.public import bp
from tracker.extensions import db
from tracker.services import bulletins

LATEST_BULLETINS = 3


def front_door():
    """The public home: file a complaint first, then follow one, vote, read what is published."""
    latest = db.session.scalars(bulletins.list_query(None, status="published").limit(LATEST_BULLETINS)).all()
    return render_template("public/index.html", latest_bulletins=latest)


@bp.route("/")
def index():
    return front_door()
