"""Schemathesis against /openapi.json: generated requests (valid and invalid parameters) to every operation of the
in-process app over the real sample must never get a 5xx, and every response must match the OpenAPI document —
its status code is documented, its content type is declared, its body validates against the declared schema.

Schemathesis reads the document when this module is imported, before the session's sample database exists, and
its lazy fixture loader doesn't run on pytest 9. So the schema is loaded through :class:`Deferred`, an ASGI app that
first serves an app over an empty in-memory database (the OpenAPI document doesn't depend on data) and, once the
``real_app`` fixture has run, the app over the sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from stemtrials.api import create_app
from stemtrials.api.hardening import HardeningSettings
from stemtrials.store import open_engine

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Deferred:
    """An ASGI app forwarding to whichever app is current."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


# Schemathesis sends requests far faster than any one client may (the limit has its own tests, test_hardening.py):
# the apps run without the rate limit, so every case reaches its route.
NO_RATE_LIMIT = HardeningSettings(rate_limit=0)
DEFERRED = Deferred(create_app(engine=open_engine("sqlite:///:memory:"), hardening=NO_RATE_LIMIT))
schema = schemathesis.openapi.from_asgi("/openapi.json", DEFERRED)


@pytest.fixture(scope="module", autouse=True)
def real_app(sample_engine: Engine) -> Iterator[None]:
    empty = DEFERRED.app
    DEFERRED.app = create_app(engine=sample_engine, hardening=NO_RATE_LIMIT)
    assert DEFERRED.app.openapi() == empty.openapi()  # the document the cases were generated from
    yield
    DEFERRED.app = empty


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
