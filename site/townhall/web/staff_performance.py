"""Staff area: import the monthly figures the website cannot see (/staff/performance/import).

The same import as `flask performance import FILE` (`townhall.performance.imports`):
every row checked, every bad row listed with its line number and what to fix,
nothing stored unless every row is good; written to the audit log in the same
transaction. Customer service staff (who export the phone and queue figures) and
administrators may use it; the whole area needs a login (the staff blueprint's check).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, get_flashed_messages, redirect, request, url_for
from flask_babel import gettext as _

from .. import engines
from ..performance import COLUMNS, decode, import_figures, months_of, parse_figures
from .common import now, render, today
from .csrf import csrf
from .staff import CASEWORK_ROLES, not_cached, require_login, roles

bp = Blueprint("staff_performance", __name__, url_prefix="/staff/performance")
MAX_UPLOAD = 1024 * 1024  # a year of every standard is a few kilobytes


bp.before_request(require_login)
bp.after_request(not_cached)


@bp.get("/import")
@roles(*CASEWORK_ROLES)
def import_form():
    return show()


@bp.post("/import")
@csrf.exempt  # checked below, once the body may be big enough for the file (the site's limit is for words)
@roles(*CASEWORK_ROLES)
def import_post():
    request.max_content_length = MAX_UPLOAD + 64 * 1024
    request.max_form_memory_size = 64 * 1024
    if (request.content_length or 0) > request.max_content_length:
        # Said before the body is read: a refused half-parsed upload would leave its temporary file open.
        return show({"figures": _("The file must be smaller than 1 MB. Import one month or one year at a time")},
                    status=400)
    csrf.protect()
    upload = request.files.get("figures")
    if upload is None or not upload.filename:
        return show({"figures": _("Choose the CSV file to import")}, status=400)
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return show({"figures": _("The file must be smaller than 1 MB. Import one month or one year at a time")},
                    status=400)
    parsed = parse_figures(decode(data), engines.site().standards, today())
    if not parsed.ok:
        return show({"figures": _("Nothing was imported: %(count)s row(s) need fixing. Fix them in the file and "
                                  "import it again", count=len(parsed.problems))}, problems=parsed.problems,
                    status=400)
    staff_id, moment = g.staff.id, now()
    written = engines.database().transaction(
        lambda session: import_figures(session, parsed, staff_id=staff_id, now=moment))
    flash(_("Imported %(count)s figure(s) for %(months)s.", count=written, months=", ".join(months_of(parsed))))
    return redirect(url_for("staff_performance.import_form"), code=303)


def show(errors: dict[str, str] | None = None, problems=(), status: int = 200):
    errors = errors or {}
    return render("staff/performance_import.html", errors=errors, summary=[("figures", text) for text in
                                                                             errors.values()],
                  problems=problems, columns=COLUMNS, notices=get_flashed_messages()), status
