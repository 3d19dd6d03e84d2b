from flask import render_template

from tracker.blueprints.public import bp


@bp.route("/")
def index():
    return render_template("public/index.html")
