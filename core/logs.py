"""Structured logs: one line per request, and the same format for CLI commands and jobs.

`LOG_FORMAT=json` (the default in production) writes one JSON object per line: time, level,
logger, message, request id, user id, source (web, api, cli, job), and for requests the
method, path, status, duration in ms and remote address. `LOG_FORMAT=text` writes the same
as readable text. Each request gets an id (a well-formed incoming `X-Request-ID` is kept,
otherwise a new one), echoed in the response's `X-Request-ID` header.

Nothing secret is logged: requests are logged by path only (no query string, body or
headers), and anything shaped like an API token is masked in every message.
"""

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, request

from core.audit import current_actor, current_source

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
REQUEST_LOGGER = "reserves.request"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TOKEN = re.compile(r"rsv_[A-Za-z0-9_-]{12,}")
# attributes every LogRecord has; anything else was passed with `extra=` and is logged too
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """The text with anything shaped like an API token masked."""
    return _TOKEN.sub(lambda m: m.group(0)[:8] + "…[redacted]", text)


class ContextFilter(logging.Filter):
    """Add the request id, user id and source of the current request, command or job."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        if not hasattr(record, "user_id"):
            record.user_id = current_actor.get()
        if not hasattr(record, "source"):
            record.source = current_source.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines with the same fields."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(rid)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.rid = getattr(record, "request_id", None) or getattr(record, "source", "-")
        line = redact(super().format(record))
        extra = {
            k: v
            for k, v in vars(record).items()
            if k not in _STANDARD
            and k not in ("request_id", "source", "rid")
            and not k.startswith("_")
            and v is not None
        }
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return line


def configure(fmt: str, level: int = logging.INFO) -> None:
    """Send every log record to stderr in the chosen format (replaces earlier handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_reserves", False):
            root.removeHandler(old)
    handler._reserves = True
    root.addHandler(handler)
    root.setLevel(level)
    # libraries that narrate their work at INFO (WeasyPrint even at import, parsing CSS)
    for noisy in ("alembic", "weasyprint", "fontTools", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """Give each request an id and log it once it is answered."""
    if not app.testing:
        configure(app.config.get("LOG_FORMAT", "text"))
    logger = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def start_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        request_id.set(g.request_id)

    @app.teardown_request
    def end_request(_exc=None) -> None:
        request_id.set(None)

    @app.after_request
    def log_request(response):
        rid = g.get("request_id")
        if rid is None:  # a request that failed before start_request ran
            rid = uuid.uuid4().hex
        response.headers["X-Request-ID"] = rid
        started = g.get("request_started")
        duration = (time.perf_counter() - started) * 1000 if started else None
        # the user this request already loaded (never a database query of its own here)
        user = g.get("api_user") or g.get("_login_user")
        user_id = user.id if user is not None and getattr(user, "is_authenticated", False) else None
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": rid,
                "user_id": user_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration, 1) if duration is not None else None,
                "remote_addr": request.remote_addr,
            },
        )
        return response
