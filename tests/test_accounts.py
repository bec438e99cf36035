"""Lock-out after repeated failures, password change, API token pages, security headers."""

import pytest
from sqlmodel import Session, select

from accounts.models import ApiToken, User
from accounts.passwords import verify_password
from accounts.services import MAX_FAILED_LOGINS
from accounts.tokens import user_for_token
from core.db import get_engine
from tests.factories import make_user


@pytest.fixture
def app_user(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        make_user(session, "alice", "viewer", password="correct-horse-1")
        session.commit()
    return sqlite_app


def _login(client, password):
    return client.post("/auth/login", data={"username": "alice", "password": password})


def test_account_locks_after_repeated_failures(app_user):
    client = app_user.test_client()
    for _ in range(MAX_FAILED_LOGINS):
        assert _login(client, "wrong-password").status_code == 422
    response = _login(client, "correct-horse-1")  # right password, but locked
    assert response.status_code == 429
    assert "锁定" in response.get_data(as_text=True)
    assert client.get("/network").status_code == 302


def test_a_good_login_resets_the_failure_count(app_user):
    client = app_user.test_client()
    for _ in range(MAX_FAILED_LOGINS - 1):
        _login(client, "wrong-password")
    assert _login(client, "correct-horse-1").status_code == 302
    with Session(get_engine(app_user)) as s:
        assert s.exec(select(User)).one().failed_logins == 0


def test_unknown_user_gets_the_same_answer(app_user):
    response = app_user.test_client().post(
        "/auth/login", data={"username": "nobody", "password": "whatever-123"}
    )
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_password_change(app_user):
    client = app_user.test_client()
    _login(client, "correct-horse-1")
    bad = client.post(
        "/auth/password",
        data={"current": "nope-nope-1", "new": "new-password-9", "confirm": "new-password-9"},
    )
    assert bad.status_code == 422 and "当前密码不正确" in bad.get_data(as_text=True)
    demo = client.post(
        "/auth/password",
        data={
            "current": "correct-horse-1",
            "new": "demo-viewer-2026",
            "confirm": "demo-viewer-2026",
        },
    )
    assert demo.status_code == 422
    ok = client.post(
        "/auth/password",
        data={"current": "correct-horse-1", "new": "new-password-9", "confirm": "new-password-9"},
    )
    assert ok.status_code == 302
    with Session(get_engine(app_user)) as s:
        user = s.exec(select(User)).one()
        assert verify_password(user.password_hash, "new-password-9")
        assert user.password_changed_at is not None


def test_tokens_are_shown_once_stored_hashed_and_revocable(app_user):
    client = app_user.test_client()
    _login(client, "correct-horse-1")
    html = client.post("/auth/tokens", data={"name": "hospital HIS"}).get_data(as_text=True)
    clear = html.split("<code>")[1].split("</code>")[0]
    assert clear.startswith("rsv_")
    with Session(get_engine(app_user)) as s:
        token = s.exec(select(ApiToken)).one()
        assert clear not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
        assert user_for_token(s, clear).username == "alice"
    assert clear not in client.get("/auth/tokens").get_data(as_text=True)
    client.post(f"/auth/tokens/{token.id}/revoke")
    with Session(get_engine(app_user)) as s:
        assert user_for_token(s, clear) is None


def test_security_headers_on_every_page(app_user):
    response = app_user.test_client().get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app_user):
    response = _login(app_user.test_client(), "correct-horse-1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_passwords_argon2id(sqlite_url, monkeypatch):
    from sqlmodel import Session

    from app import create_app
    from core.db import get_engine
    from tests.factories import make_user

    monkeypatch.setenv("APP_ENV", "production")
    app = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "prod-test-secret", "TESTING": True}
    )
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context(), Session(get_engine(app)) as session:
        user = make_user(session, "prod", "viewer", password="a-long-passphrase-1")
        session.commit()
        assert user.password_hash.startswith("$argon2id$")
    response = app.test_client().post(
        "/auth/login", data={"username": "prod", "password": "a-long-passphrase-1"}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    get_engine(app).dispose()
