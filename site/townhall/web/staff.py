"""The staff area (/staff): log in, work through the queue, answer cases, log contacts, read page feedback.

One check guards the whole blueprint (`require_login`): every address under
/staff except the login page needs a member of staff's session, and each view
says which roles may use it (customer service: the queue, cases and logged
contacts; the content team: page feedback; administrators: everything, and the
audit log). Every action is written to the audit log in the transaction that
does it (the domain's operations audit themselves; viewing a case, exporting
and logging out are audited here).

Login: paste and password managers are welcome (``autocomplete="username"``
and ``"current-password"``, no blocked paste: WCAG 3.3.8). Failures slow the
account down (the domain's throttle) and the client too
(TOWNHALL_LOGIN_RATE_LIMIT per 15 minutes). A successful login starts a new
session (a session made before it cannot be reused); the session cookie is
HttpOnly, SameSite=Lax and Secure over HTTPS (web/security.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, g, get_flashed_messages, redirect, request, session, url_for
from flask_babel import gettext as _

from .. import engines
from ..cases import (
    CaseError,
    CaseNotFound,
    acknowledge,
    answer,
    authenticate,
    close,
    escalate,
    feedback_report,
    get_case,
    log_contact,
    queue_services,
    set_new_date,
    staff_queue,
    staff_user,
    validate_submission,
)
from ..cases.audit import audit, recent_audit
from ..cases.insights import MIN_VISITORS, outside_postcodes, search_insights
from ..cases.models import COMPLAINT_OUTCOMES, KINDS, OTHER_OUTCOMES, STATUSES
from ..cases.service import STAFF_CHANNELS
from ..cases.staff import list_staff
from ..cases.validation import FORM_FIELDS
from ..text import N_
from . import forms
from .common import now, render, today
from .preferences import safe_return_path

bp = Blueprint("staff", __name__, url_prefix="/staff")

STAFF_ID = "staff_id"
PUBLIC = {"staff.login", "staff.login_post"}
CASEWORK_ROLES = ("customer_service", "admin")
CONTENT_ROLES = ("content", "admin")
FEEDBACK_PERIODS = (30, 90, 365)
WRONG_LOGIN = N_("Enter a correct email address and password")


@bp.before_request
def require_login():
    """Every staff address but the login page needs a logged-in, active member of staff."""
    forms.allow_long_forms()  # answers can be long
    g.staff = None
    if request.endpoint in PUBLIC:
        return None
    staff_id = session.get(STAFF_ID)
    user = None
    if isinstance(staff_id, int):
        with engines.database().read_session() as db:
            user = staff_user(db, staff_id)
    if user is None:
        session.pop(STAFF_ID, None)
        here = safe_return_path(request.script_root + request.full_path.rstrip("?"))
        return redirect(url_for("staff.login", next=here if request.method == "GET" else None))
    g.staff = user
    return None


def roles(*allowed: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any):
            if g.staff.role not in allowed:
                return render("staff/forbidden.html"), 403
            return view(*args, **kwargs)
        return checked
    return decorate


@bp.after_request
def not_cached(response):
    """Staff pages hold residents' details: never kept by a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# -- logging in and out ------------------------------------------------------------------------------------

@bp.get("/login")
def login():
    if isinstance(session.get(STAFF_ID), int):
        return redirect(url_for("staff.home"))
    return show_login({"email": ""}, {}, next_page=request.args.get("next"))


@bp.post("/login")
def login_post():
    email = request.form.get("email", "").strip()[:254]
    password = request.form.get("password", "")
    next_page = request.form.get("next")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Enter your email address")
    if not password:
        errors["password"] = _("Enter your password")
    if errors:
        return show_login({"email": email}, errors, next_page=next_page, status=400)
    limit = engines.limits().login
    decision = limit.peek(forms.client())
    if not decision.allowed:
        return show_login({"email": email}, {"email": _("There have been too many failed attempts to log in from "
                                                         "this device.") + " " + forms.wait_words(decision)},
                          next_page=next_page, status=429)
    moment = now()
    result = engines.database().transaction(lambda db: _login(db, email, password, moment))
    if result is None:
        limit.hit(forms.client())
        return show_login({"email": email}, {"email": _(WRONG_LOGIN)}, next_page=next_page, status=400)
    if isinstance(result, timedelta):
        limit.hit(forms.client())
        minutes = max(1, -(-int(result.total_seconds()) // 60))
        wait = _("Wait a minute, then try again.") if minutes == 1 else _(
            "Wait %(minutes)s minutes, then try again.", minutes=minutes)
        return show_login({"email": email}, {"email": _("Too many wrong passwords for this account.") + " " + wait},
                          next_page=next_page, status=429)
    session.clear()  # a new session for the logged-in member of staff
    session[STAFF_ID] = result
    target = next_page if (next_page or "").startswith(request.script_root + "/staff") else None
    return redirect(safe_return_path(target) or url_for("staff.home"), code=303)


def _login(db, email: str, password: str, moment) -> int | timedelta | None:
    """The member of staff's id, how long they must wait, or None for a wrong email or password."""
    result = authenticate(db, email, password, moment)
    if result.ok:
        return result.user.id
    return result.wait if result.wait > timedelta(0) else None


def show_login(values: dict[str, str], errors: dict[str, str], *, next_page: str | None, status: int = 200):
    next_page = safe_return_path(next_page)
    return render("staff/login.html", values=values, errors=errors, summary=forms.summary(errors),
                  next_page=next_page, signed_out=request.args.get("signed_out")), status


@bp.post("/logout")
def logout():
    staff_id = g.staff.id
    engines.database().transaction(lambda db: audit(db, staff_id=staff_id, action="logout", now=now(),
                                                    target=f"staff:{staff_id}"))
    session.clear()
    return redirect(url_for("staff.login", signed_out=1), code=303)


# -- the queue and cases -------------------------------------------------------------------------------------

@bp.get("/")
def home():
    if g.staff.role == "content":
        return redirect(url_for("staff.feedback"))
    return redirect(url_for("staff.queue"))


@bp.get("/queue")
@roles(*CASEWORK_ROLES)
def queue():
    kind = request.args.get("kind", "")
    kind = kind if kind in KINDS else ""
    status = request.args.get("status", "")
    status = status if status in STATUSES and status != "closed" else ""
    service = request.args.get("service", "")[:100]
    overdue = request.args.get("overdue") == "1"
    with engines.database().read_session() as db:
        page = staff_queue(db, today(), kind=kind or None, service=service or None, status=status or None,
                           overdue_only=overdue, limit=200)
        services = queue_services(db)
    return render("staff/queue.html", block="results", page=page, services=services,
                  chosen={"kind": kind, "status": status, "service": service, "overdue": overdue},
                  kinds=KINDS, statuses=[item for item in STATUSES if item != "closed"])


@bp.get("/cases/<int:case_id>")
@roles(*CASEWORK_ROLES)
def case(case_id: int):
    staff_id = g.staff.id
    moment = now()

    def look(db) -> None:
        get_case(db, case_id)  # CaseNotFound before anything is audited
        audit(db, staff_id=staff_id, action="view_case", target=f"case:{case_id}", now=moment)

    try:
        engines.database().transaction(look)
    except CaseError:
        abort(404)
    return show_case(case_id)


def show_case(case_id: int, errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
              status: int = 200, open_action: str | None = None):
    """The case page, drawn inside its read session (the timeline's links to other cases load as it draws)."""
    errors = errors or {}
    with engines.database().read_session() as db:
        try:
            found = get_case(db, case_id)
        except CaseError:
            abort(404)
        names = {user.id: user.name for user in list_staff(db)}
        outcomes = COMPLAINT_OUTCOMES if found.kind == "complaint" else OTHER_OUTCOMES
        body = render("staff/case.html", case=found, names=names, errors=errors,
                      summary=forms.summary(errors, {"outcome": f"outcome-{outcomes[0]}"}), values=values or {},
                      outcomes=outcomes, channels=STAFF_CHANNELS, today=today(), open_action=open_action,
                      notices=get_flashed_messages())
    return body, status


ACTIONS = ("acknowledge", "answer", "new-date", "escalate", "close")


@bp.post("/cases/<int:case_id>/<action>")
@roles(*CASEWORK_ROLES)
def act(case_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    casework, staff_id, moment = engines.casework(), g.staff.id, now()
    form = request.form
    values = {name: form.get(name, "") for name in ("ack_note", "close_note", "answer", "reason", "outcome", "channel",
                                                    "details")}
    if action == "new-date":
        new_date, date_values, date_error = forms.read_date(form, "new_date")
        values.update(date_values)
        if date_error:
            return show_case(case_id, {"new_date": date_error}, values, 400, action)
    work: dict[str, Callable] = {
        "acknowledge": lambda db: acknowledge(db, casework, case_id, staff_id=staff_id, now=moment,
                                              note=values["ack_note"]),
        "answer": lambda db: answer(db, casework, case_id, staff_id=staff_id, now=moment, text=values["answer"]),
        "new-date": lambda db: set_new_date(db, casework, case_id, staff_id=staff_id, now=moment,
                                            new_date=new_date, reason=values["reason"]),
        "escalate": lambda db: escalate(db, casework, case_id, staff_id=staff_id, now=moment,
                                        channel=values["channel"] or "phone", details=values["details"]),
        "close": lambda db: close(db, casework, case_id, staff_id=staff_id, outcome=values["outcome"],
                                  now=moment, note=values["close_note"]),
    }
    try:
        result = engines.database().transaction(work[action])
    except CaseError as error:
        field = error.field or {"answer": "answer", "new-date": "reason", "close": "outcome"}.get(action, "ack_note")
        if field == "note":
            field = "close_note" if action == "close" else "ack_note"
        if isinstance(error, CaseNotFound):
            abort(404)
        return show_case(case_id, {field: forms.message(error.message, **error.params)}, values, error.status,
                         action)
    engines.outbox().wake()
    flash(done_message(action, result))
    target = case_id
    if action == "escalate":
        target = result.case.id
    return redirect(url_for("staff.case", case_id=target), code=303)


def done_message(action: str, result: Any) -> str:
    if action == "acknowledge":
        return _("Acknowledgement recorded. If the resident gave an email address, they are being emailed.")
    if action == "answer":
        return _("Answer sent. It shows on the resident's track page, and is emailed if they gave an address.")
    if action == "new-date":
        return _("New date set. The resident is told why, and by email if they gave an address.")
    if action == "escalate":
        return _("Stage 2 complaint %(reference)s opened.", reference=result.reference)
    return _("Case closed.")


# -- logging contacts by letter, email, phone or in person --------------------------------------------------

LOG_FIELDS = (*FORM_FIELDS, "kind", "channel", "language")


@bp.route("/log", methods=["GET", "POST"])
@roles(*CASEWORK_ROLES)
def log():
    services = forms.service_choices("en")
    if request.method == "GET":
        values = dict.fromkeys(LOG_FIELDS, "")
        values.update({"kind": "enquiry", "channel": "letter", "language": "en"})
        return show_log(values, {}, services)
    form = request.form
    kind = form.get("kind", "")
    channel = form.get("channel", "")
    lang = form.get("language", "en")
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = _("Select what kind of contact it is")
        kind = "enquiry"
    validation = validate_submission(kind, form, services=forms.service_titles(), language=lang)
    received_on, date_values, date_error = forms.read_date(form, "received_on")
    values = {**validation.values, **date_values, "kind": form.get("kind", ""), "channel": channel,
              "language": lang if lang in ("en", "cy") else "en"}
    if channel not in STAFF_CHANNELS:
        errors["channel"] = _("Select how the contact reached us")
    if date_error:
        errors["received_on"] = date_error
    errors.update(forms.messages(validation.errors))
    if errors:
        return show_log(values, errors, services, status=400)
    casework, staff_id, moment = engines.casework(), g.staff.id, now()
    try:
        logged = engines.database().transaction(lambda db: log_contact(
            db, casework, validation.submission, channel=channel, received_on=received_on, staff_id=staff_id,
            now=moment))
    except CaseError as error:
        errors[error.field or "received_on"] = forms.message(error.message, **error.params)
        return show_log(values, errors, services, status=400)
    engines.outbox().wake()
    flash(_("Contact logged as %(reference)s.", reference=logged.reference))
    return redirect(url_for("staff.case", case_id=logged.case.id), code=303)


def show_log(values: dict[str, str], errors: dict[str, str], services, status: int = 200):
    return render("staff/log.html", values=values, errors=errors, summary=forms.summary(errors), services=services,
                  kinds=KINDS, channels=STAFF_CHANNELS), status


# -- page feedback and the audit log -----------------------------------------------------------------------

@bp.get("/feedback")
@roles(*CONTENT_ROLES)
def feedback():
    try:
        days = int(request.args.get("days", "90"))
    except ValueError:
        days = 90
    days = days if days in FEEDBACK_PERIODS else 90
    with engines.database().read_session() as db:
        report = feedback_report(db, since=today() - timedelta(days=days))
    return render("staff/feedback.html", report=report, days=days, periods=FEEDBACK_PERIODS)


@bp.get("/insights")
@roles(*CONTENT_ROLES)
def insights():
    """What residents looked for and did not find (issue 11): pages marked not useful, searches, postcodes."""
    try:
        days = int(request.args.get("days", "90"))
    except ValueError:
        days = 90
    days = days if days in FEEDBACK_PERIODS else 90
    since = today() - timedelta(days=days)
    with engines.database().read_session() as db:
        pages = feedback_report(db, since=since, pages=10, comments_per_page=5)
        searches = search_insights(db, since=since)
        outside = outside_postcodes(db, since=since)
    return render("staff/insights.html", pages=pages, searches=searches, outside=outside, days=days,
                  periods=FEEDBACK_PERIODS, min_visitors=MIN_VISITORS, comments_shown=5)


@bp.get("/content-health")
@roles(*CONTENT_ROLES)
def content_health():
    """Every content file with something to fix, and what the site serves meanwhile (issue 14)."""
    from .content_health import health_page

    return health_page(layout="staff/layout.html")


@bp.get("/audit")
@roles("admin")
def audit_log():
    with engines.database().read_session() as db:
        entries = recent_audit(db, limit=200)
        names = {user.id: user.name for user in list_staff(db)}
    return render("staff/audit.html", entries=entries, names=names)
