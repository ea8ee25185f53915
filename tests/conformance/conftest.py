"""Conformance suite: Qdrant's own REST API tests (qdrant/qdrant tests/openapi/*.py), ported to Quiver's harness.

Each module starts one `quiver serve` (tests/integration/harness.py) and every JSON response goes through the
`Api` wrapper, which validates it against Qdrant's OpenAPI contract. The assertions (expected ids, counts,
codes, messages) are Qdrant's; each test's docstring names the file it comes from. Features Quiver does not
have (sparse vectors, multivectors, sharding, URL snapshots, inference, fusion/prefetch, groups, facets,
discovery, strict mode) are left out; see README.md in this folder.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from harness import Api, QuiverServer  # noqa: E402


@pytest.fixture(scope="module")
def server():
    s = QuiverServer().start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def api(server):
    return Api(server)


@pytest.fixture(scope="module")
def collection_name():
    return "test_collection"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        srv = item.funcargs.get("server") if hasattr(item, "funcargs") else None
        if isinstance(srv, QuiverServer):
            report.sections.append(("quiver server log", srv.log_tail()))
