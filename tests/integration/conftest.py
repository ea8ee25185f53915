"""Fixtures for Quiver's black-box integration tests.

`server`/`api`: one `quiver serve` per test module (free 127.0.0.1 port, fresh data dir); tests that need a
server of their own (restarts, crashes, special settings) use the `make_server` factory. Every JSON response
that goes through `Api` is validated against Qdrant's contract (contract.py).
See harness.py for the environment variables (QUIVER_BIN, QUIVER_KEEP_DATA).
"""
import pytest

from harness import Api, QuiverServer


@pytest.fixture(scope="module")
def server():
    s = QuiverServer().start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def api(server):
    return Api(server)


@pytest.fixture
def make_server():
    """Factory: make_server(extra_env=None, **QuiverServer kwargs) -> started QuiverServer, stopped (SIGTERM, exit 0) after the test."""
    started = []

    def factory(extra_env=None, start=True, **kwargs):
        s = QuiverServer(extra_env=extra_env, **kwargs)
        started.append(s)
        return s.start() if start else s

    yield factory
    errors = []
    for s in started:
        try:
            s.close()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        srv = item.funcargs.get("server") if hasattr(item, "funcargs") else None
        if isinstance(srv, QuiverServer):
            report.sections.append(("quiver server log", srv.log_tail()))
