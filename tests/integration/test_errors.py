"""Error responses: codes and messages (QDRANT-COMPAT.md section 2, "HTTP codes" and request-parsing errors).
Every error body is checked by Api against Qdrant's envelope {"status":{"error":...},"time":...}."""
import json
import socket

import pytest

from harness import Api
from helpers import create_collection, upsert


@pytest.fixture(scope="module")
def coll(api):
    create_collection(api, "e_c", size=4, distance="Dot")
    upsert(api, "e_c", [{"id": 1, "vector": [1, 2, 3, 4], "payload": {"a": 1}}])
    return "e_c"


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("raw", ['{"points": [', "not json at all", '{"points": [{"id": 1, "vector": [1,2,3,4]}]} trailing',
                                 "", "[1, 2"])
def test_malformed_json_400(api, coll, raw):
    status, body = api.put("/collections/%s/points?wait=true" % coll, data=raw, headers=JSON)
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body


def test_malformed_json_on_collection_create(api):
    status, body = api.put("/collections/e_bad", data='{"vectors": {"size": 4, "distance": "Dot"', headers=JSON)
    assert status == 400 and body["status"]["error"].startswith("Format error in JSON body"), body
    assert api.ok("GET", "/collections/e_bad/exists") == {"exists": False}


@pytest.mark.parametrize("path,method,payload", [
    ("/collections/e_c/points/scroll", "POST", {"limit": "ten"}),
    ("/collections/e_c/points/query", "POST", {"query": "not a vector or id", "limit": 3}),
    ("/collections/e_c/points/query", "POST", {"query": [1, 2, 3, 4], "limit": -1}),
    ("/collections/e_c/points/count", "POST", {"exact": "yes"}),
    ("/collections/e_c/points?wait=true", "PUT", {"points": [{"id": 5, "vector": "1,2,3,4"}]}),
    ("/collections/e_c/points?wait=true", "PUT", {"points": {"id": 5}}),
    ("/collections/e_c/points/payload?wait=true", "POST", {"payload": [1, 2], "points": [1]}),
    ("/collections/e_c/points/search", "POST", {"vector": [1, 2, 3, 4], "limit": 3, "filter": {"must": 5}}),
    ("/collections/e_c_wrongtype", "PUT", {"vectors": {"size": "four", "distance": "Dot"}}),
])
def test_wrong_types_400(api, coll, path, method, payload):
    status, body = api.request(method, path, json=payload)
    assert status == 400, body
    assert body["status"]["error"].startswith("Format error in JSON body"), body


def test_wrong_vector_dimension_400(api, coll):
    status, body = api.put("/collections/%s/points?wait=true" % coll, json={"points": [{"id": 2, "vector": [1, 2, 3]}]})
    assert status == 400, body
    assert body["status"]["error"] == "Wrong input: Vector dimension error: expected dim: 4, got 3", body
    status, body = api.post("/collections/%s/points/query" % coll, json={"query": [1, 2, 3, 4, 5], "limit": 1})
    assert status == 400, body
    assert body["status"]["error"] == "Wrong input: Vector dimension error: expected dim: 4, got 5", body
    status, body = api.post("/collections/%s/points/search" % coll, json={"vector": [1, 2], "limit": 1})
    assert status == 400, body
    assert "Vector dimension error: expected dim: 4, got 2" in body["status"]["error"], body
    # nothing was written
    assert api.ok("POST", "/collections/%s/points/count" % coll, {"exact": True})["count"] == 1


@pytest.mark.parametrize("method,path,payload", [
    ("GET", "/collections/e_nope", None),
    ("GET", "/collections/e_nope/points/1", None),
    ("PUT", "/collections/e_nope/points?wait=true", {"points": [{"id": 1, "vector": [1, 2, 3, 4]}]}),
    ("POST", "/collections/e_nope/points/query", {"query": [1, 2, 3, 4]}),
    ("POST", "/collections/e_nope/points/search", {"vector": [1, 2, 3, 4], "limit": 1}),
    ("POST", "/collections/e_nope/points/scroll", {}),
    ("POST", "/collections/e_nope/points/count", {}),
    ("POST", "/collections/e_nope/points/delete?wait=true", {"points": [1]}),
    ("PUT", "/collections/e_nope/index?wait=true", {"field_name": "a", "field_schema": "keyword"}),
])
def test_unknown_collection_404(api, method, path, payload):
    kw = {} if payload is None else {"json": payload}
    status, body = api.request(method, path, **kw)
    assert status == 404, body
    assert body["status"]["error"] == "Not found: Collection `e_nope` doesn't exist!", body


def test_unknown_route_404(api):
    # actix answers unmatched routes with a bare 404; if a body is sent, it must be the error envelope
    for method, path in (("GET", "/no/such/route"), ("POST", "/collections/e_c/points/teleport"),
                         ("GET", "/collections/e_c/points/1/extra")):
        status, body = api.request(method, path, validate=False)
        assert status == 404, (method, path, status, body)
        if api.last.content:
            api.contract.check_error_envelope(method, path, status, api.last.json())


def _raw_http(port, request_head, body, chunk=65536):
    """Sends a request over a raw socket (the server may answer and close before reading the whole body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall(request_head)
        try:
            for i in range(0, len(body), chunk):
                s.sendall(body[i:i + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                part = s.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            data += part
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if length and len(rest) >= int(length[0].split(b":")[1]):
                    break
        return data
    finally:
        s.close()


def test_body_over_size_limit(make_server):
    srv = make_server({"QUIVER__SERVICE__MAX_REQUEST_SIZE_MB": "1"})
    api = Api(srv)
    create_collection(api, "big", size=4, distance="Dot")
    pad = "x" * (2 * 1024 * 1024)
    body = json.dumps({"points": [{"id": 1, "vector": [1, 2, 3, 4], "payload": {"pad": pad}}]}).encode()
    head = ("PUT /collections/big/points?wait=true HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)).encode()
    raw = _raw_http(srv.port, head, body)
    assert raw, "no HTTP response to the oversized request"
    head_bytes, _, payload = raw.partition(b"\r\n\r\n")
    status_line = head_bytes.split(b"\r\n")[0].decode()
    status = int(status_line.split()[1])
    # Qdrant's JSON extractor limit (service.max_request_size_mb) rejects the body with the JSON error envelope.
    # Qdrant itself answers 400 ("JSON payload (N bytes) is larger than allowed (limit: M bytes).") through its
    # validation_error_handler; 413 Payload Too Large is the other accepted answer.
    assert status in (400, 413), status_line
    headers = {l.split(b":", 1)[0].strip().lower(): l.split(b":", 1)[1].strip() for l in head_bytes.split(b"\r\n")[1:]}
    assert headers.get(b"content-type", b"").startswith(b"application/json"), headers
    api.contract.check_error_envelope("PUT", "/collections/big/points", status, json.loads(payload.decode()))
    # the oversized request wrote nothing and the server still works
    assert api.ok("POST", "/collections/big/points/count", {"exact": True}) == {"count": 0}
    upsert(api, "big", [{"id": 2, "vector": [1, 2, 3, 4], "payload": {"pad": "x" * 1000}}])
    assert api.ok("POST", "/collections/big/points/count", {"exact": True}) == {"count": 1}


def test_error_time_is_number_and_no_result(api):
    status, body = api.get("/collections/e_missing_again")
    assert status == 404
    assert isinstance(body["time"], (int, float))
    assert body.get("result") is None


def test_server_still_healthy_after_errors(api, coll):
    status, text = api.get("/healthz")
    assert status == 200 and text.strip() == "healthz check passed"
    rec = api.ok("GET", "/collections/%s/points/1" % coll)
    assert rec["payload"] == {"a": 1}
