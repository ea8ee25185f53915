"""Fixtures for the `quiver ingest` integration tests (see ingest_helpers.py)."""
import pytest

from ingest_helpers import Server


@pytest.fixture(scope="module")
def server():
    s = Server().start()
    yield s
    s.close()


@pytest.fixture
def make_server():
    started = []

    def factory(**kw):
        s = Server(**kw).start()
        started.append(s)
        return s

    yield factory
    for s in started:
        s.close()
