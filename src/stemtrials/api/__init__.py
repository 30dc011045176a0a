"""The REST API (FastAPI): read-only JSON over query/ and store/. See app.py."""

from .app import create_app

__all__ = ["create_app"]
