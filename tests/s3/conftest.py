"""Fixtures for the S3 client tests: s3rver started per test module on 127.0.0.1 (stopped by PID), a
SigV4-checking gateway in front of it, and a runner for the test-only build/src/ops/s3/quiver_s3_tool.
Other suites can reuse s3rver_fixture.S3rver and s3_gateway.S3Gateway directly."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from s3rver_fixture import S3rver  # noqa: E402
from s3_gateway import S3Gateway  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOOL = Path(os.environ.get("QUIVER_S3_TOOL", ROOT / "build" / "src" / "ops" / "s3" / "quiver_s3_tool"))
BUCKET = "test-bucket"


@pytest.fixture(scope="module")
def s3rver(tmp_path_factory):
    srv = S3rver(tmp_path_factory.mktemp("s3rver"), buckets=[BUCKET]).start()
    yield srv
    srv.stop()


@pytest.fixture
def make_s3rver(tmp_path_factory):
    started = []

    def factory(buckets=(BUCKET,)):
        srv = S3rver(tmp_path_factory.mktemp("s3rver"), buckets=buckets).start()
        started.append(srv)
        return srv

    yield factory
    for srv in started:
        srv.stop()


@pytest.fixture
def gateway(s3rver):
    gw = S3Gateway(s3rver).start()
    yield gw
    gw.stop()
    assert gw.bad_requests() == [], "requests with a wrong SigV4 signature"


class Tool:
    def __init__(self, env):
        self.env = env

    def run(self, *args, check=True, input_env=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["HOME"] = env.get("HOME", "/nonexistent")
        env.update(self.env)
        env.update(input_env or {})
        r = subprocess.run([str(TOOL), *map(str, args)], env=env, capture_output=True, text=True,
                           timeout=300)
        if check and r.returncode != 0:
            raise AssertionError(f"quiver_s3_tool {args} failed ({r.returncode}): {r.stderr}")
        return r

    def popen(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(self.env)
        return subprocess.Popen([str(TOOL), *map(str, args)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


@pytest.fixture
def tool(s3rver, gateway):
    if not TOOL.exists():
        pytest.fail(f"{TOOL} missing: build the quiver_s3_tool target")
    return Tool(s3rver.env(gateway.endpoint))
