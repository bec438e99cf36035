"""Structured logs: one line per request with its id, user and timing; nothing secret."""

import io
import json
import logging

from sqlmodel import Session

from accounts.tokens import issue_token
from core import logs
from core.db import get_engine
from tests.factories import make_network, make_user


def _json_lines(records) -> list[dict]:
    formatter, context = logs.JsonFormatter(), logs.ContextFilter()
    out = []
    for record in records:
        context.filter(record)
        out.append(json.loads(formatter.format(record)))
    return out


def test_request_id_is_echoed_or_made(client):
    kept = client.get("/auth/login", headers={"X-Request-ID": "lb-42.a_b"})
    assert kept.headers["X-Request-ID"] == "lb-42.a_b"
    made = client.get("/auth/login", headers={"X-Request-ID": "bad id\x1b" + "x" * 80})
    assert len(made.headers["X-Request-ID"]) == 32 and made.headers["X-Request-ID"].isalnum()
    assert client.get("/auth/login").headers["X-Request-ID"] != made.headers["X-Request-ID"]


def test_one_line_per_request_with_user_and_no_secrets(app, client, caplog):
    with app.app_context(), Session(get_engine(app)) as session:
        f = make_network(session)
        clerk = make_user(
            session, "logclerk", "clerk", facilities=[f["A"]], password="s3cret-pass-99"
        )
        _row, token = issue_token(session, clerk, "logs")
        session.commit()
        clerk_id = clerk.id
    caplog.set_level(logging.DEBUG)
    client.post("/auth/login", data={"username": "logclerk", "password": "s3cret-pass-99"})
    page = client.get("/network", headers={"X-Request-ID": "page-1"})
    api = app.test_client().get(
        "/api/v1/items?per_page=5", headers={"Authorization": f"Bearer {token}"}
    )
    assert page.status_code == 200 and api.status_code == 200

    lines = _json_lines(caplog.records)
    requests = [line for line in lines if line["logger"] == logs.REQUEST_LOGGER]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/auth/login", 302),
        ("GET", "/network", 200),
        ("GET", "/api/v1/items", 200),
    ]
    for r in requests:
        assert {"time", "level", "request_id", "user_id", "duration_ms", "remote_addr"} <= set(r)
        assert r["duration_ms"] >= 0 and r["remote_addr"] == "127.0.0.1"
    assert requests[1]["request_id"] == "page-1" and requests[1]["user_id"] == clerk_id
    assert requests[2]["user_id"] == clerk_id
    everything = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert "s3cret-pass-99" not in everything
    assert token not in everything and token[12:] not in everything


def test_tokens_are_masked_in_any_message():
    record = logging.LogRecord("x", logging.INFO, "", 0, "got %s", ("rsv_" + "A" * 43,), None)
    line = json.loads(logs.JsonFormatter().format(record))
    assert "A" * 20 not in line["message"] and "[redacted]" in line["message"]


def test_cli_commands_log_json_lines(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        from core.audit import current_source

        current_source.set("cli")
        result = app.test_cli_runner().invoke(args=["verify-ledger"])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert result.exit_code == 0
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    verified = [line for line in lines if line["message"].startswith("ledger verified")]
    assert verified and verified[0]["source"] == "cli" and verified[0]["level"] == "INFO"


def test_configure_writes_the_chosen_format(capsys):
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        logs.configure("json")
        logging.getLogger("ops").info("hello %s", "world", extra={"rows": 3})
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["message"] == "hello world" and line["rows"] == 3 and line["level"] == "INFO"
        logs.configure("text")
        logging.getLogger("ops").warning("plain")
        assert capsys.readouterr().err.strip().endswith("plain")
    finally:
        for h in list(root.handlers):
            if h not in before[0]:
                root.removeHandler(h)
        root.setLevel(before[1])
