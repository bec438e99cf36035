"""Request size limits (413) and the control-character rule outside form and JSON fields."""

import pytest

from core.input_guard import is_plain_text


def _multipart(client, path, fields: dict[str, bytes]):
    # encoded here: Werkzeug's builder spools large bodies to a file it does not close
    boundary = "limit-test-boundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + value
        + b"\r\n"
        for name, value in fields.items()
    )
    body += f"--{boundary}--\r\n".encode()
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_an_api_body_over_one_megabyte_is_413_json(client):
    response = client.post("/api/v1/movements", json={"note": "x" * (1024 * 1024)})
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == 413 and body["status"] == "Request Entity Too Large" and body["message"]


def test_a_page_form_over_the_form_limit_is_413_html(client):
    response = client.post("/auth/login", data={"username": "x" * (300 * 1024), "password": "y"})
    assert response.status_code == 413
    assert response.mimetype == "text/html" and "413" in response.get_data(as_text=True)


def test_an_upload_over_max_content_length_is_413(client, app):
    big = b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = _multipart(client, "/depots/1/count-sheet", {"file": big})
    assert response.status_code == 413 and response.mimetype == "text/html"


def test_a_multipart_text_field_over_the_form_memory_limit_is_413(client, app):
    response = client.post(
        "/auth/login",
        data={"username": "x" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1), "password": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_within_the_limits_a_long_field_gets_a_field_message_not_413(client):
    response = client.post("/auth/login", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path", ["/network?q=%00", "/network?q=%1B%5B31m", "/dashboard/county/33%00", "/network?%00=1"]
)
def test_control_characters_in_the_url_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 422


def test_control_characters_in_an_idempotency_key_are_refused(client):
    response = client.post(
        "/api/v1/movements", json={}, headers={"Idempotency-Key": "k\x01", "Authorization": "x"}
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]["headers"]


def test_the_rule():
    assert is_plain_text("tab\tline\nbreak\r\n中文😷 <b>'\"; --\u202e")
    for bad in ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"):
        assert not is_plain_text(f"a{bad}b")


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"note": "a\\u0000b"}', "note"),  # escaped C0
        ('{"note": "\\ud800"}', "note"),  # escaped lone surrogate
        ('{"note": "x\\u0085"}', "note"),  # escaped C1
        ('{"note": "x\x85"}', "note"),  # raw C1
        ('{"note": "del\x7f"}', "note"),  # raw DEL
        ('{"lines": [{"lot_no": "L\\u001b[31m"}]}', "lines"),  # nested: the top-level field
        ('{"bad\\u0007key": 1}', "bad\x07key"),  # a key
    ],
)
def test_control_characters_anywhere_in_a_json_body_are_refused(client, body, field):
    response = client.post(
        "/api/v1/movements",
        data=body.encode(),
        content_type="application/json",
        headers={"Authorization": "Bearer x"},
    )
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_escaped_text_without_control_characters_passes_the_rule(client):
    # JSON from clients that escape all non-ASCII: the rule reads the decoded strings
    response = client.post(
        "/api/v1/movements",
        data=b'{"note": "\\u4e2d\\u6587 \\ud83d\\ude37 tab\\there"}',
        content_type="application/json",
        headers={"Authorization": "Bearer x"},
    )
    assert response.status_code == 401  # past the rule: refused for the token only
