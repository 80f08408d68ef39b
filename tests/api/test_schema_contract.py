"""Property-based checks of every operation against the OpenAPI document the app serves (in-process, memory)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset
from tests.api.conftest import settings as app_settings

# Built at collection: schemathesis turns each operation of the schema into a test case up front.
APP = create_app(app_settings(), store=MemoryStore(build_graph(load_dataset())))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_honours_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
    )
