"""Bounded, schema-driven API fuzz: no operation answers 5xx (or raises) on any input, and
every answer matches the response schema the OpenAPI document declares for its status.

Schemathesis generates requests from the OpenAPI document for every operation (path, query
and body, valid and invalid) and sends them to the app in-process as the demo administrator,
the role that reaches every operation. Each operation gets ``YINGJI_FUZZ_EXAMPLES`` cases
(default 8; CI's bound) with a fixed seed, so a run is repeatable and its length is known.
A failure names the operation and the request that broke it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from support.totp import next_code
from yingji.bootstrap import create_app
from yingji.demo.people import DEMO_PASSWORD
from yingji.demo.seed import seed_demo
from yingji.migrations.runner import upgrade
from yingji.settings import Settings

EXAMPLES = int(os.environ.get("YINGJI_FUZZ_EXAMPLES", "8"))
_DEMO = Settings(database_url="sqlite://", demo=True)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    """Return the app on a seeded demo district and the administrator's bearer header."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    settings = Settings(database_url=url, demo=True)
    seed_demo(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        answer = client.post(
            "/api/v1/auth/token",
            data={
                "username": "admin",
                "password": DEMO_PASSWORD,
                "totp": next_code(app.state.ctx, "admin"),
            },
        )
        assert answer.status_code == 200, answer.text
        yield app, {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _operations() -> list[tuple[str, str]]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(_DEMO))
    found = []
    for result in schema.get_all_operations():
        op = result.ok()
        found.append((op.method.upper(), op.path))
    return sorted(found)


OPERATIONS = _operations()


def test_every_operation_is_fuzzed():
    # The list is built from the live schema: a new endpoint is fuzzed without being named.
    assert len(OPERATIONS) > 250


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_error(fuzz_app: tuple[Any, dict[str, str]], method: str, path: str) -> None:
    app, auth = fuzz_app
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operation = schema[path][method]
    failures: list[str] = []

    @seed(20261207)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            answer = case.call(headers=auth)
        except Exception as exc:  # the in-process client re-raises the server's exception
            failures.append(f"{type(exc).__name__}: {exc} ← {case.as_curl_command()}")
            return
        if answer.status_code >= 500:
            failures.append(f"{answer.status_code} ← {case.as_curl_command()}")
            return
        try:
            case.validate_response(answer, checks=[response_schema_conformance])
        except Exception as exc:  # schemathesis raises a failure group naming the mismatch
            failures.append(f"schema: {str(exc)[:300]} ← {case.as_curl_command()}")

    run()
    assert failures == [], f"{method} {path}:\n" + "\n".join(failures[:5])
