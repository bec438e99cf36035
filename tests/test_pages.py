"""Logging in, the network tree and the catalog pages, in Chinese and English."""

import pytest
from sqlmodel import Session

from core.db import get_engine
from tests.conftest import make_test_app
from tests.factories import make_item, make_network, make_user


@pytest.fixture
def populated(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        facilities = make_network(session)
        make_item(session)
        make_item(
            session,
            "EQP-VENT",
            name_zh="无创呼吸机",
            name_en="Non-invasive ventilator",
            category="equipment",
            unit_zh="台",
            unit_en="unit",
            pack_size=1,
            shelf_life_days=None,
            unit_kg=6.5,
            criticality=5,
        )
        make_user(session, "clerk", "clerk", facilities=[facilities["A"]])
        session.commit()
    return sqlite_app


@pytest.fixture
def logged_in(populated):
    client = populated.test_client()
    client.post("/auth/login", data={"username": "clerk", "password": "password-123"})
    return client


@pytest.mark.parametrize("path", ["/network", "/catalog"])
def test_pages_require_login(populated, path):
    response = populated.test_client().get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_login_page_is_chinese_by_default(populated):
    html = populated.test_client().get("/auth/login").get_data(as_text=True)
    assert "登录" in html and "用户名" in html and 'lang="zh-CN"' in html


def test_wrong_password_is_refused_with_a_message(populated):
    response = populated.test_client().post(
        "/auth/login", data={"username": "clerk", "password": "wrong-password"}
    )
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_empty_login_form_gets_422_with_field_errors(populated):
    response = populated.test_client().post("/auth/login", data={"username": "", "password": ""})
    assert response.status_code == 422


def test_login_then_network_tree(logged_in):
    response = logged_in.get("/network")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("市级库", "越城区库", "塔山储备点", "府山储备点"):
        assert name in html
    assert "仓库管理员" in html  # the role, translated


def test_login_redirects_only_within_the_site(populated):
    client = populated.test_client()
    response = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"username": "clerk", "password": "password-123"},
    )
    assert response.headers["Location"] == "/"


def test_catalog_in_both_languages(logged_in):
    html = logged_in.get("/catalog").get_data(as_text=True)
    assert "医用防护口罩 N95" in html and "防护用品" in html and "救治设备" in html
    response = logged_in.post("/auth/lang/en", data={"next": "/catalog"})
    assert response.headers["Location"] == "/catalog"
    html = logged_in.get("/catalog").get_data(as_text=True)
    assert "N95 respirator" in html and "Protection" in html and "Treatment equipment" in html
    assert "医用防护口罩" not in html


def test_logout_ends_the_session(logged_in):
    logged_in.post("/auth/logout")
    assert logged_in.get("/network").status_code == 302


def test_unknown_page_is_404_in_chinese(logged_in):
    response = logged_in.get("/no-such-page")
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_forms_need_a_csrf_token(sqlite_url):
    app = make_test_app(sqlite_url, WTF_CSRF_ENABLED=True)
    with app.app_context(), Session(get_engine(app)) as session:
        make_network(session)
        make_user(session, "viewer", "viewer")
        session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "viewer", "password": "password-123"})
    assert response.status_code == 400
    assert client.get("/network").status_code == 302  # not logged in
