"""Fixtures for the `quiver backup` / `quiver restore` tests: real `quiver serve` processes on 127.0.0.1
(tests/integration/harness.py) and the real `quiver` binary as the backup tool. See backup_helpers.py."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))

from harness import QuiverServer  # noqa: E402

# Snapshot uploads go through the request-size limit until the upload route streams (issue 5).
SERVER_ENV = {"QUIVER__SERVICE__MAX_REQUEST_SIZE_MB": "1024"}


@pytest.fixture
def make_server():
    started = []

    def factory(extra_env=None):
        env = dict(SERVER_ENV)
        env.update(extra_env or {})
        s = QuiverServer(extra_env=env)
        started.append(s)
        return s.start()

    yield factory
    errors = []
    for s in started:
        try:
            s.close()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


@pytest.fixture
def server(make_server):
    return make_server()
