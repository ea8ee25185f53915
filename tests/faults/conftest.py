"""Fixtures for the fault tests (tests/run-faults.sh): the real `build/quiver` on 127.0.0.1 through
tests/integration/harness.py (QuiverServer, Api with contract validation)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from harness import QuiverServer  # noqa: E402


@pytest.fixture
def make_server():
    """make_server(extra_env=None, data_dir=None, start=True) -> QuiverServer; closed after the test."""
    started = []

    def factory(extra_env=None, data_dir=None, start=True):
        s = QuiverServer(extra_env=extra_env, data_dir=data_dir)
        started.append(s)
        return s.start() if start else s

    yield factory
    for s in started:
        s.close(check=False)
