"""Health checks for whatever runs the site: alive (/healthz) and ready to serve (/readyz), in JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..engines.health import readiness
from .common import content_site

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def alive():
    """The process answers: a load balancer restarts it when this fails."""
    return {"status": "ok", "content_problems": len(content_site().problems)}


@bp.route("/readyz")
def ready():
    """Every part the site needs, each with a reason: 503 until all are ready (take it out of the pool)."""
    findings = readiness(current_app._get_current_object())
    ready_now = all(finding.ready for finding in findings)
    response = jsonify({"status": "ready" if ready_now else "not ready",
                        "checks": {finding.name: {"ready": finding.ready, "reason": finding.reason}
                                   for finding in findings}})
    response.status_code = 200 if ready_now else 503
    response.headers["Cache-Control"] = "no-store"
    return response
