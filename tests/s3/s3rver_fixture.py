"""s3rver (npm s3rver@3.7.1, pinned in tests/s3/package.json) started on 127.0.0.1 and stopped by PID.

Reusable by other suites (e.g. backup round trips):

    from s3rver_fixture import S3rver            # with tests/s3 on sys.path
    srv = S3rver(tmp_dir, buckets=["backups"]).start()
    env = srv.env()   # AWS_* variables: endpoint, credentials S3RVER/S3RVER, region
    ...
    srv.stop()

or the pytest fixtures `s3rver` / `make_s3rver` from tests/s3/conftest.py. s3rver does not verify
signatures and has no AbortMultipartUpload; put s3_gateway.S3Gateway in front of it for both.
"""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
S3RVER_BIN = HERE / "node_modules" / ".bin" / "s3rver"
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, what, deadline_s=30.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port}")


class S3rver:
    def __init__(self, directory, buckets=("test-bucket",)):
        self.directory = Path(directory)
        self.buckets = list(buckets)
        self.port = None
        self.proc = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        if not S3RVER_BIN.exists():
            raise RuntimeError(f"{S3RVER_BIN} missing: run scripts/install-deps.sh")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        cmd = [str(S3RVER_BIN), "-d", str(self.directory), "-a", "127.0.0.1", "-p", str(self.port),
               "--silent"]
        for b in self.buckets:
            cmd += ["--configure-bucket", b]
        # s3rver's ListObjectsV2 continuation tokens use DES, which node 20's OpenSSL 3 only has in
        # its legacy provider (without it every paginated listing is a 500).
        env = dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=env)
        wait_for_port(self.port, self.proc, "s3rver")
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def upload_dirs(self, bucket):
        """s3rver's in-progress multipart uploads of `bucket` (one directory per upload, parts inside)."""
        d = self.directory / bucket / "._S3rver_uploads"
        return sorted(p for p in d.iterdir()) if d.exists() else []

    def env(self, endpoint=None):
        """Environment for a client of this server (or of a gateway in front of it)."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_S3": endpoint or self.endpoint,
        }
