"""Log in, log out, and the language switch."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from accounts.forms import LoginForm
from accounts.models import User
from accounts.services import authenticate
from db import get_session

bp = Blueprint("accounts", __name__, template_folder="templates")
login_manager = LoginManager()
login_manager.login_view = "accounts.login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user of this request."""
    if not user_id.isdigit():
        return None
    return get_session().get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    # only redirect within this site
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form, or log the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_session(), form.username.data, form.password.data)
        if user is None:
            flash(_("Wrong username or password."), "error")
        else:
            login_user(user)
            if user.locale in current_app.config["LANGUAGES"]:
                session["lang"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), (422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the session."""
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language for this browser session."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))
