"""Request IDs, one log line per request (logger ``stemtrials.access``) and logged errors (``stemtrials.error``).

Every response carries ``X-Request-ID`` (the client's own when it sent a sane one, e.g. from a proxy, else a new
one). The access line holds no query text — searches can be personal — only its length. An unhandled error is
logged with the request ID and its traceback; the client gets a 500 naming the request ID and nothing else (no
exception text, no traceback). ``serve --log-format json|text`` picks the line format (:func:`configure_logging`).
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems

access_logger = logging.getLogger("stemtrials.access")
error_logger = logging.getLogger("stemtrials.error")

REQUEST_ID_HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
LOG_FORMATS = ("json", "text")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RequestContext:
    """Assigns the request ID, logs the request when it ends, and turns an unhandled error into the app's error
    response (rendered by its ``Exception`` handler: an HTML page for browsers, problem+json for the API)."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started_at, start = _utc_now(), time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (REQUEST_ID_HEADER.encode(), request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error_logger.error("unhandled error in %s %s (request %s)", scope["method"], scope["path"], request_id,
                               exc_info=exc, extra={"fields": {
                                   "request_id": request_id, "method": scope["method"], "path": scope["path"],
                                   "error": type(exc).__name__}})
            if response_started:
                raise  # the status line is out; the server can only close the connection
            response = await self._error_response(scope, receive, exc)
            await response(scope, receive, send_with_id)
        finally:
            access_logger.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": {
                "ts": started_at,
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "query_length": len(scope.get("query_string", b"")),
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "client": scope["client"][0] if scope.get("client") else None,
            }})

    async def _error_response(self, scope: Scope, receive: Receive, exc: Exception) -> Response:
        handler = self.fastapi_app.exception_handlers.get(Exception)
        if handler is not None:
            try:
                result = handler(Request(scope, receive), exc)
                return await result if inspect.isawaitable(result) else result  # type: ignore[return-value]
            except Exception as handler_error:  # the error page itself failed: fall back to the bare problem
                error_logger.error("the error handler failed (request %s)", scope["state"]["request_id"],
                                   exc_info=handler_error,
                                   extra={"fields": {"request_id": scope["state"]["request_id"]}})
        return internal_error_problem(scope)


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def internal_error_problem(scope: Scope) -> JSONResponse:
    request_id = scope.get("state", {}).get("request_id")
    return problems.problem(500, "Internal Server Error",
                            f"the server failed to answer; quote request ID {request_id} when reporting it",
                            scope.get("path"), {"request_id": request_id})


async def _internal_error(request: Request, _exc: Exception) -> Response:
    return internal_error_problem(request.scope)


def install(app: FastAPI) -> None:
    # The API's answer to an unhandled error; the web UI wraps it with its HTML page for browsers.
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(RequestContext, fastapi_app=app)


# ---------------------------------------------------------------- log line formats
class JsonFormatter(logging.Formatter):
    """One JSON object per line: the record's ``fields`` (access lines: ts, request_id, method, path, query_length,
    status, duration_ms, client), plus level and logger, the message for plain records and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = dict(getattr(record, "fields", {}) or {})
        line: dict[str, Any] = {"ts": fields.pop("ts", None) or datetime.fromtimestamp(record.created, UTC)
                                .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                                "level": record.levelname.lower(), "logger": record.name}
        if record.name != access_logger.name:
            line["message"] = record.getMessage()
        line.update(fields)
        if record.exc_info:
            line["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: 'TIME LEVEL message', access lines with client, duration and request ID."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {}
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        if record.name == access_logger.name and fields:
            text = (f"{when} {fields['client'] or '-'} {fields['method']} {fields['path']} {fields['status']} "
                    f"{fields['duration_ms']:.1f} ms [{fields['request_id']}]")
        else:
            text = f"{when} {record.levelname} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return text


def default_log_format() -> str:
    return "text" if sys.stderr.isatty() else "json"


def configure_logging(log_format: str | None = None) -> str:
    """Send the ``stemtrials`` loggers to stderr in ``log_format`` (default: text on a terminal, else JSON)."""
    chosen = log_format or default_log_format()
    if chosen not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {chosen!r}")
    logger = logging.getLogger("stemtrials")
    for handler in list(logger.handlers):
        if getattr(handler, "_stemtrials", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler._stemtrials = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return chosen
