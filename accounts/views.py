"""Log in and out, passwords, API tokens, and the language switch."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlmodel import select

from accounts.forms import LoginForm, PasswordForm, TokenForm
from accounts.models import ApiToken, User
from accounts.services import AccountLocked, authenticate, change_password
from accounts.tokens import issue_token, revoke_token
from core.db import get_session, unit_of_work
from core.errors import DomainError
from core.i18n import datetime_local

bp = Blueprint("accounts", __name__, template_folder="templates")
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to access this page.")


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
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            # failed attempts are counted (and kept) even though the login fails
            with unit_of_work() as session_:
                user = authenticate(session_, form.username.data, form.password.data)
        except AccountLocked as exc:
            user = None
            status = 429
            flash(
                _(
                    "Too many wrong passwords: this account is locked until %(time)s.",
                    time=datetime_local(exc.until),
                ),
                "error",
            )
        else:
            if user is None:
                flash(_("Wrong username or password."), "error")
        if user is not None:
            login_user(user)
            if user.locale in current_app.config["LANGUAGES"]:
                session["lang"] = user.locale
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), status


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


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work() as session_:
                change_password(session_, current_user, form.current.data, form.new.data)
        except DomainError as exc:
            for name, message in exc.fields.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
            status = 422
        else:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("index"))
    elif form.errors:
        status = 422
    return render_template("accounts/password.html", form=form), status


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The user's API tokens: create one (shown once) or revoke one."""
    session_ = get_session()
    form = TokenForm()
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                _token, created = issue_token(session_, current_user, form.name.data)
        except DomainError as exc:
            form.name.errors = [*form.name.errors, exc.message]
            status = 422
    elif form.errors:
        status = 422
    rows = session_.exec(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template("accounts/tokens.html", form=form, rows=rows, created=created), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of the user's tokens."""
    try:
        with unit_of_work() as session_:
            revoke_token(session_, current_user, token_id)
    except DomainError as exc:
        abort(exc.status_code)
    flash(_("The token was revoked."), "success")
    return redirect(url_for("accounts.tokens"))
