"""Site-wide alerts and service status: the banner on every page, hiding it, the alerts page and feeds.

The banner is drawn by the layout from `banner_alerts()` (a template global). An
alert that is not an emergency can be hidden for the rest of the day with a plain
form: the POST adds it to the one functional cookie and goes back to the page.
The same alerts are open data: JSON at /api/alerts (in the OpenAPI document) and
an Atom feed at /api/alerts.atom, so local radio and other sites can follow them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from ..content import Alert
from ..hours import LONDON
from .common import content_site, language, now, preferences, render, today
from .csrf import public_form
from .openapi import ApiPart, json_response, operation, ref
from .preferences import safe_return_path, save_cookie
from .templating import time_label

bp = Blueprint("alerts", __name__)
ATOM = "http://www.w3.org/2005/Atom"


@bp.app_template_global()
def banner_alerts() -> list[Alert]:
    """The alerts to show under the header now, without those this reader hid today."""
    prefs, day = preferences(), today()
    return [alert for alert in content_site().alerts_at(now())
            if not (alert.dismissable and prefs.hides(alert.key, day))]


@bp.app_template_global()
def severity_label(severity: str) -> str:
    return {"emergency": _("Emergency"), "warning": _("Warning"), "notice": _("Notice")}.get(severity, severity)


@bp.app_template_global()
def status_label(level: str) -> str:
    """How a service is running, in words (never colour alone)."""
    return {"normal": _("Running normally"), "changed": _("Service changed"), "limited": _("Limited service"),
            "suspended": _("Service suspended")}.get(level, level)


@bp.app_template_global()
def service_status(service) -> Any:
    """The service's status showing now, or None."""
    return service.status_at(now()) if service is not None else None


@bp.app_template_global()
def moment_words(moment: datetime, until: bool = False) -> str:
    """A time in words: "5pm on Monday 12 January"; an `until` at midnight is "the end of" the day before."""
    local = moment.astimezone(LONDON)
    if until and local.time() == time(0):
        return _("the end of %(day)s", day=format_date(local.date() - timedelta(days=1), "EEEE d MMMM y"))
    return _("%(time)s on %(day)s", time=time_label(local.time()), day=format_date(local.date(), "EEEE d MMMM y"))


@bp.route("/alerts")
def alerts_page():
    site, moment, lang = content_site(), now(), language()
    return render("alerts/index.html", alerts=site.alerts_at(moment), upcoming=site.upcoming_alerts(moment),
                  services=site.services_with_status(moment, lang))


@bp.post("/alerts/hide")
@public_form
def hide():
    """Hide one alert for the rest of today (never an emergency), then go back to the page.

    Kept as simple as the settings form: one field and where to return.
    """
    key = request.form.get("alert", "")[:60]
    target = safe_return_path(request.form.get("return_to")) or url_for("pages.home")
    alert = next((found for found in content_site().alerts if found.key == key), None)
    response = redirect(target, code=303)
    if alert is None or not alert.dismissable:
        return response
    return save_cookie(response, preferences().hide(alert.key, today()))


# --- open data ------------------------------------------------------------------------------------------


def _alert_json(alert: Alert, moment: datetime) -> dict[str, Any]:
    welsh = alert.text_in("cy")
    link = None
    if alert.link:
        link = {"label": alert.link.label, "label_cy": alert.link.label_in("cy"), "url": _absolute(alert.link.url)}
    return {
        "id": alert.id,
        "severity": alert.severity,
        "title": alert.title,
        "message": alert.message,
        "title_cy": welsh["title"],
        "message_cy": welsh["message"],
        "start": alert.start.isoformat(),
        "end": alert.end.isoformat() if alert.end else None,
        "active": alert.is_active(moment),
        "link": link,
    }


@bp.route("/api/alerts")
def api_alerts() -> Response:
    site, moment = content_site(), now()
    response = jsonify({
        "council": site.council.name,
        "generated": moment.isoformat(timespec="seconds"),
        "alerts": [_alert_json(alert, moment) for alert in site.alerts_at(moment)],
        "upcoming": [_alert_json(alert, moment) for alert in site.upcoming_alerts(moment)],
    })
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data
    return response


@bp.route("/api/alerts.atom")
def atom() -> Response:
    """Every alert in the file (running, coming and kept after they ended), newest first."""
    site, moment, lang = content_site(), now(), language()
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": lang})
    self_url, page_url = url_for("alerts.atom", _external=True), url_for("alerts.alerts_page", _external=True)
    _add(feed, "title", _("Alerts from %(council)s", council=site.council.name_in(lang)))
    _add(feed, "id", self_url)
    entries = sorted(site.alerts, key=lambda a: a.start, reverse=True)
    updated = max((a.start for a in entries if a.start <= moment), default=moment)
    _add(feed, "updated", updated.isoformat(timespec="seconds"))
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                                    "href": page_url})
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    _add(author, "name", site.council.name_in(lang))
    for alert in entries:
        text = alert.text_in(lang)
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        _add(entry, "id", f"{page_url}#{alert.id}")
        _add(entry, "title", f"{severity_label(alert.severity)}: {text['title']}")
        _add(entry, "updated", alert.start.isoformat(timespec="seconds"))
        _add(entry, "published", alert.start.isoformat(timespec="seconds"))
        _add(entry, "summary", _atom_summary(alert, text["message"], moment))
        ElementTree.SubElement(entry, f"{{{ATOM}}}category", {"term": alert.severity})
        if alert.link:
            ElementTree.SubElement(entry, f"{{{ATOM}}}link", {"rel": "related", "href": _absolute(alert.link.url)})
    body = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _absolute(url: str) -> str:
    """A link as other sites need it: a page of this site with its full address (in this language)."""
    return request.url_root.rstrip("/") + url if url.startswith("/") else url


def _add(parent: ElementTree.Element, name: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _atom_summary(alert: Alert, message: str, moment: datetime) -> str:
    if alert.is_over(moment):
        return _("Ended. %(message)s", message=message)
    if alert.start > moment:
        return _("From %(start)s. %(message)s", start=alert.start.strftime("%Y-%m-%d %H:%M"), message=message)
    return message


def openapi_part() -> ApiPart:
    alert = {
        "type": "object", "additionalProperties": False,
        "required": ["id", "severity", "title", "message", "title_cy", "message_cy", "start", "end", "active", "link"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
            "severity": {"type": "string", "enum": ["notice", "warning", "emergency"]},
            "title": {"type": "string", "minLength": 1},
            "message": {"type": "string", "minLength": 1},
            "title_cy": {"type": "string", "minLength": 1,
                         "description": "The Welsh title; the English one when no Welsh has been written yet"},
            "message_cy": {"type": "string", "minLength": 1},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": ["string", "null"], "format": "date-time",
                    "description": "When the alert stops showing; null while nobody knows"},
            "active": {"type": "boolean", "description": "Whether it is showing on the website now"},
            "link": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["label", "label_cy", "url"], "additionalProperties": False,
                "properties": {"label": {"type": "string"}, "label_cy": {"type": "string"},
                               "url": {"type": "string", "format": "uri"}}}]},
        },
    }
    alerts = {
        "type": "object", "required": ["council", "generated", "alerts", "upcoming"], "additionalProperties": False,
        "properties": {
            "council": {"type": "string"},
            "generated": {"type": "string", "format": "date-time"},
            "alerts": {"type": "array", "items": ref("Alert"),
                       "description": "Alerts showing now: emergencies first, then warnings, then notices"},
            "upcoming": {"type": "array", "items": ref("Alert"), "description": "Alerts that start later"},
        },
    }
    tag = "Alerts"
    return ApiPart(
        paths={
            "/api/alerts": operation(
                "getAlerts", "The alerts showing on the website now, and those to come",
                {"200": json_response("Alerts now and to come", ref("Alerts"))}, tag=tag,
                description="The same alerts as the banner under the header of every page, in English and Welsh. "
                            "Severities: notice, warning, emergency."),
            "/api/alerts.atom": operation(
                "getAlertsFeed", "Every alert as an Atom feed (RFC 4287), for feed readers, local radio and other sites",
                {"200": {"description": "An Atom feed, newest first; ended alerts the council keeps say so",
                         "content": {"application/atom+xml": {"schema": {"type": "string"}}}}}, tag=tag,
                description="Add /cy before /api for the Welsh words."),
        },
        schemas={"Alert": alert, "Alerts": alerts},
        tags=[{"name": tag, "description": "Site-wide alerts: severe weather, closures, emergencies."}],
    )
