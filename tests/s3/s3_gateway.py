"""A test gateway in front of s3rver: checks the SigV4 signature of every request with botocore's own
signer (Debian python3-botocore, botocore.auth.S3SigV4Auth), then forwards it to s3rver.

- Every request is recorded (method, path, query, signature verdict). A request whose signature,
  payload hash or signed-header set is wrong is answered 403 SignatureDoesNotMatch, like S3 does,
  and recorded as bad; tests assert that no request was bad.
- s3rver has no AbortMultipartUpload (DELETE ?uploadId=) nor ListMultipartUploads (GET ?uploads=): the
  gateway implements them on s3rver's upload directories (abort removes one and answers 204).
- Fault injection: `fail(predicate, status, code, times)` answers matching requests with an S3 error;
  `hold(predicate)` blocks matching requests until `release()` (to kill a client mid-upload).
"""
import datetime
import hashlib
import shutil
import threading
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class Recorded:
    def __init__(self, method, path, query, verdict, headers):
        self.method, self.path, self.query, self.verdict = method, path, query, verdict
        self.headers = {k.lower(): v for k, v in headers}
        self.session_token = self.headers.get("x-amz-security-token")

    def __repr__(self):
        return f"{self.method} {self.path} {self.query} -> {self.verdict}"


def verify_sigv4(method, raw_path, headers, body, secrets, region):
    """'ok' or the reason the signature is wrong. headers: list of (name, value) as received."""
    h = {k.lower(): v for k, v in headers}
    auth = h.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization header"
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    akid, date, reg, service, term = fields["Credential"].split("/")
    if akid not in secrets:
        return f"unknown access key {akid}"
    if reg != region or service != "s3" or term != "aws4_request":
        return f"bad credential scope {fields['Credential']}"
    signed = fields["SignedHeaders"].split(";")
    for required in ("host", "x-amz-date", "x-amz-content-sha256"):
        if required not in signed:
            return f"{required} not signed"
    for name in h:
        if name.startswith("x-amz-") and name not in signed:
            return f"{name} sent but not signed"
    payload_hash = h["x-amz-content-sha256"]
    if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 does not match the body"
    if h["x-amz-date"][:8] != date:
        return "x-amz-date does not match the credential date"
    secret, token = secrets[akid]
    if token is not None and h.get("x-amz-security-token") != token:
        return "missing or wrong x-amz-security-token"
    for name in signed:
        if name not in h:
            return f"signed header {name} was not sent"
    split = urlsplit(raw_path)
    req = AWSRequest(method=method, url=f"http://{h['host']}{split.path}",
                     headers={name: h[name] for name in signed}, data=body)
    req.params = parse_qsl(split.query, keep_blank_values=True)
    req.context["timestamp"] = h["x-amz-date"]
    signer = S3SigV4Auth(Credentials(akid, secret, token), "s3", region)
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if expected != fields["Signature"]:
        return "signature mismatch; canonical request was:\n" + canonical
    return "ok"


class S3Gateway:
    def __init__(self, s3rver, secrets=None, region="us-east-1"):
        """secrets: access key -> (secret, session token or None)."""
        self.s3rver = s3rver
        self.secrets = secrets if secrets is not None else {"S3RVER": ("S3RVER", None)}
        self.region = region
        self.requests = []
        self.lock = threading.Lock()
        self.faults = []  # [predicate, status, code, remaining]
        self.hold_predicate = None
        self.held = threading.Event()
        self.released = threading.Event()
        self.server = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, predicate, status=500, code="InternalError", times=1):
        self.faults.append([predicate, status, code, times])

    def hold(self, predicate):
        self.hold_predicate = predicate

    def release(self):
        self.released.set()

    def bad_requests(self):
        with self.lock:
            return [r for r in self.requests if r.verdict != "ok"]

    def start(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                query = dict(parse_qsl(split.query, keep_blank_values=True))
                try:
                    verdict = verify_sigv4(self.command, self.path, self.headers.items(), body,
                                           gateway.secrets, gateway.region)
                except Exception as e:  # a malformed Authorization header, ...
                    verdict = f"cannot check the signature: {e!r}"
                with gateway.lock:
                    gateway.requests.append(Recorded(self.command, split.path, query, verdict,
                                                     self.headers.items()))
                if verdict != "ok":
                    return self._error(403, "SignatureDoesNotMatch", verdict)
                for fault in gateway.faults:
                    if fault[3] > 0 and fault[0](self.command, split.path, query):
                        fault[3] -= 1
                        return self._error(fault[1], fault[2], "injected by the test gateway")
                if gateway.hold_predicate and gateway.hold_predicate(self.command, split.path, query):
                    gateway.held.set()
                    gateway.released.wait()
                if self.command == "DELETE" and "uploadId" in query:
                    return self._abort(split.path, query["uploadId"])
                if self.command == "GET" and "uploads" in query:
                    return self._list_uploads(split.path, query.get("prefix", ""))
                self._forward(body)

            def _error(self, status, code, message):
                xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>"
                       f"<Message>{message}</Message><RequestId>gw</RequestId></Error>").encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(xml)))
                self.end_headers()
                self.wfile.write(xml)

            def _abort(self, path, upload_id):
                bucket = path.strip("/").split("/")[0]
                d = gateway.s3rver.directory / bucket / "._S3rver_uploads" / upload_id
                if not d.is_dir() or "/" in upload_id or upload_id.startswith("."):
                    return self._error(404, "NoSuchUpload", "no such upload")
                shutil.rmtree(d)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _list_uploads(self, path, prefix):
                # s3rver has no ListMultipartUploads either: answer from its upload directories
                # (one page; the directory's mtime stands for the initiation time).
                bucket = path.strip("/").split("/")[0]
                items = []
                for d in gateway.s3rver.upload_dirs(bucket):
                    key = (d / "key").read_text()
                    if key.startswith(prefix):
                        initiated = datetime.datetime.fromtimestamp(
                            d.stat().st_mtime, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                        items.append(f"<Upload><Key>{escape(key)}</Key><UploadId>{d.name}</UploadId>"
                                     f"<Initiated>{initiated}</Initiated></Upload>")
                xml = ("<ListMultipartUploadsResult><Bucket>" + bucket + "</Bucket>"
                       "<IsTruncated>false</IsTruncated>" + "".join(items) +
                       "</ListMultipartUploadsResult>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(xml)))
                self.end_headers()
                self.wfile.write(xml)

            def _forward(self, body):
                conn = http.client.HTTPConnection("127.0.0.1", gateway.s3rver.port, timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "expect",
                                                "x-amz-security-token")}
                # s3rver knows only the access key S3RVER (it checks no signature): the request was
                # verified above, so present it to s3rver under that key.
                for k, v in headers.items():
                    if k.lower() == "authorization" and "Credential=" in v:
                        head, rest = v.split("Credential=", 1)
                        headers[k] = head + "Credential=S3RVER/" + rest.split("/", 1)[1]
                conn.request(self.command, self.path, body=body if body else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length",
                                         "date", "server"):
                        self.send_header(k, v)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.released.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
