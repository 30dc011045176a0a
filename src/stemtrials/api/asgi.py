"""ASGI entry point for multi-worker serving (`uvicorn stemtrials.api.asgi:app`); the database comes from
$STEMTRIALS_DB, the limits from $STEMTRIALS_RATE_LIMIT and friends (api/hardening.py), the log line format from
$STEMTRIALS_LOG_FORMAT."""

import os

from .access_log import configure_logging
from .app import create_app

configure_logging(os.environ.get("STEMTRIALS_LOG_FORMAT") or None)
app = create_app()
