"""Pages of the reserve network: the depot tree and the catalog."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from core.db import get_session
from core.i18n import current_language
from inventory.models import CatalogEntry, Category, Item
from inventory.services.network import facility_tree

bp = Blueprint("inventory", __name__, template_folder="templates")


def index():
    """The site's front page (mounted at "/" by the app): clerks start at their depot,
    everyone else at the network."""
    if current_user.is_authenticated and current_user.role == "clerk":
        return redirect(url_for("depot.mine"))
    return redirect(url_for("inventory.home"))


@bp.route("/network")
@login_required
def home():
    """The reserve network as a tree: city depot, county depots, township depots."""
    return render_template("inventory/network.html", roots=facility_tree(get_session()))


@bp.route("/catalog")
@login_required
def catalog():
    """Every item by category, with the tiers whose reserve catalog lists it."""
    session = get_session()
    items = session.exec(select(Item).where(Item.active == True).order_by(Item.code)).all()  # noqa: E712
    tiers: dict[int, list[str]] = {}
    for entry in session.exec(select(CatalogEntry)):
        tiers.setdefault(entry.item_id, []).append(entry.tier)
    by_category = {c.value: [i for i in items if i.category == c] for c in Category}
    return render_template(
        "inventory/catalog.html",
        by_category=by_category,
        tiers=tiers,
        lang=current_language(),
    )
