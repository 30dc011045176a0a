"""ASGI entry point for multi-worker serving (`uvicorn stemtrials.api.asgi:app`); the database comes from
$STEMTRIALS_DB."""

from .app import create_app

app = create_app()
