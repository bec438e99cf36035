"""Support requests (紧急调拨单): the page, the PDF and the JSON export."""

from flask import (
    Response,
    jsonify,
    render_template,
)
from flask_login import current_user, login_required

from core.db import get_session
from surge import pdf
from surge.models import (
    Plan,
    SupportRequest,
)
from surge.services import planning, scenarios, support
from surge.services.access import READERS
from surge.views.common import bp, local_time

# ---- support requests ----


def _support_view(req: SupportRequest) -> dict:
    session = get_session()
    lines = support.lines_of(session, req.id)
    plan = session.get(Plan, req.plan_id) if req.plan_id else None
    scenario = scenarios.get(session, None, plan.scenario_id) if plan else None
    return {
        "request": req,
        "lines": lines,
        "totals": support.totals(lines),
        "plan": plan,
        "scenario": scenario,
        "target": planning.target_days(scenario) if scenario else None,
    }


@bp.route("/support/<int:request_id>")
@login_required
def support_request(request_id: int):
    req = support.get_request(get_session(), current_user, request_id)
    return render_template("surge/support.html", **_support_view(req))


@bp.route("/support/<int:request_id>.pdf")
@login_required
def support_pdf(request_id: int):
    req = support.get_request(get_session(), current_user, request_id)
    body = pdf.render_pdf(
        "surge/pdf/support.html", lambda: _support_view(req), local_time=local_time
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{req.number}.pdf"'},
    )


@bp.route("/support/<int:request_id>.json")
@login_required
def support_json(request_id: int):
    session = get_session()
    req = support.get_request(session, current_user, request_id)
    response = jsonify(support.as_json(session, req))
    response.headers["Content-Disposition"] = f'attachment; filename="{req.number}.json"'
    return response


__all__ = ["bp", "READERS"]
