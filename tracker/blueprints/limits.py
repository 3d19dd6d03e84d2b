"""Rate limits that several blueprints share: one key per address, whichever door is used.

Each is a Flask-Limiter shared limit (one scope), so the HTML form, the JSON
API and Open311 draw on the same allowance of an address; the numbers come
from the configuration (``RATELIMIT_*``) and the counters from
``RATELIMIT_STORAGE_URL``, shared by every worker.
"""

from flask import current_app

from tracker.extensions import limiter


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _complaint_limit() -> str:
    return current_app.config["RATELIMIT_COMPLAINT_SUBMIT"]


# Failed log-ins per address, at the form and the API together: a success costs nothing, so a
# school behind one address logs in freely while guessing from it is slowed.
failed_logins = limiter.shared_limit(_login_limit, scope="log-in", methods=["POST"],
                                     deduct_when=lambda response: response.status_code >= 400)

# Complaints filed per address: the public form, the public API and Open311 together.
complaints_filed = limiter.shared_limit(_complaint_limit, scope="complaint_submit", methods=["POST"],
                                        override_defaults=False)
