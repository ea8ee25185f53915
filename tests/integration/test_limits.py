"""Limits and hostile input (issue 8): every limit is a config value (service.max_*), every violation a 4xx
with a clear message in Qdrant's envelope naming the key, and just under the limit works. Slow clients
(slowloris headers, stalled bodies) are cut off without blocking others, the connection count is capped, and
idle keep-alive connections are closed. docs/operations/security.md "Limits"."""
import json
import socket

import pytest

from harness import Api, QuiverServer
from helpers import create_collection, upsert, wait_until

LIMITS_ENV = {
    "QUIVER__SERVICE__MAX_REQUEST_SIZE_MB": "1",
    "QUIVER__SERVICE__MAX_JSON_DEPTH": "16",
    "QUIVER__SERVICE__MAX_VECTOR_DIMENSION": "1024",
    "QUIVER__SERVICE__MAX_BATCH_POINTS": "100",
    "QUIVER__SERVICE__MAX_FILTER_DEPTH": "4",
    "QUIVER__SERVICE__MAX_QUERY_LIMIT": "50",
    "QUIVER__SERVICE__MAX_QUERY_OFFSET": "100",
    "QUIVER__SERVICE__MAX_COLLECTIONS": "3",
}


@pytest.fixture(scope="module")
def limited():
    s = QuiverServer(extra_env=LIMITS_ENV).start()
    api = Api(s)
    create_collection(api, "lim", size=4, distance="Dot")
    yield api
    s.close()


def error_of(body):
    return body["status"]["error"]


def test_body_size_limit(limited):
    api = limited
    # ~0.9 MB of payload: under the 1 MB limit.
    big = "x" * (900 * 1024)
    status, body = api.put("/collections/lim/points?wait=true",
                           {"points": [{"id": 1, "vector": [1, 0, 0, 0], "payload": {"s": big}}]})
    assert status == 200, body
    over = "x" * (1100 * 1024)
    status, body = api.put("/collections/lim/points?wait=true",
                           {"points": [{"id": 2, "vector": [1, 0, 0, 0], "payload": {"s": over}}]})
    assert status == 413, body
    assert "max_request_size_mb" in error_of(body)


def nested(levels):
    v = 1
    for _ in range(levels):
        v = {"a": v}
    return v


def test_json_depth_limit(limited):
    api = limited
    # {"points":[{"payload":{...}}]} adds 4 levels around the payload: 4 + 10 <= 16.
    status, body = api.put("/collections/lim/points?wait=true",
                           {"points": [{"id": 3, "vector": [1, 0, 0, 0], "payload": nested(10)}]})
    assert status == 200, body
    status, body = api.put("/collections/lim/points?wait=true",
                           {"points": [{"id": 4, "vector": [1, 0, 0, 0], "payload": nested(40)}]})
    assert status == 400, body
    assert "max_json_depth" in error_of(body)
    # A body far deeper than any limit is refused just the same, never a crash.
    status, body = api.request("POST", "/collections/lim/points/scroll", data="[" * 100000,
                               headers={"Content-Type": "application/json"})
    assert status == 400, body


def test_vector_dimension_limit(limited):
    api = limited
    status, body = api.put("/collections/dim_ok", {"vectors": {"size": 1024, "distance": "Dot"}})
    assert status == 200, body
    status, body = api.put("/collections/dim_big", {"vectors": {"size": 1025, "distance": "Dot"}})
    assert status == 422, body
    assert "max_vector_dimension" in error_of(body) and "1025" in error_of(body)
    status, body = api.put("/collections/dim_named", {"vectors": {"a": {"size": 4096, "distance": "Dot"}}})
    assert status == 422, body
    assert api.ok("DELETE", "/collections/dim_ok") is True


def test_batch_size_limit(limited):
    api = limited
    pts = [{"id": i, "vector": [1, 0, 0, 0]} for i in range(100)]
    status, body = api.put("/collections/lim/points?wait=true", {"points": pts})
    assert status == 200, body
    pts.append({"id": 100, "vector": [1, 0, 0, 0]})
    status, body = api.put("/collections/lim/points?wait=true", {"points": pts})
    assert status == 422, body
    assert "max_batch_points" in error_of(body) and "101" in error_of(body)
    status, body = api.put("/collections/lim/points?wait=true",
                           {"batch": {"ids": list(range(101)), "vectors": [[1, 0, 0, 0]] * 101}})
    assert status == 422, body
    assert "max_batch_points" in error_of(body)
    # Nothing of the refused batches was written.
    assert api.ok("POST", "/collections/lim/points/count", {"exact": True})["count"] <= 100


def nested_filter(levels):
    f = {"must": [{"key": "n", "match": {"value": 1}}]}
    for _ in range(levels - 1):
        f = {"must": [f]}
    return f


def test_filter_depth_limit(limited):
    api = limited
    status, body = api.post("/collections/lim/points/scroll", {"filter": nested_filter(4), "limit": 1})
    assert status == 200, body
    status, body = api.post("/collections/lim/points/scroll", {"filter": nested_filter(5), "limit": 1})
    assert status == 422, body
    assert "max_filter_depth" in error_of(body)
    status, body = api.post("/collections/lim/points/query",
                            {"query": [1, 0, 0, 0], "filter": nested_filter(5)})
    assert status == 422, body
    status, body = api.post("/collections/lim/points/delete?wait=true", {"filter": nested_filter(6)})
    assert status == 422, body


def test_limit_and_offset_maxima(limited):
    api = limited
    q = [1, 0, 0, 0]
    status, body = api.post("/collections/lim/points/query", {"query": q, "limit": 50, "offset": 100})
    assert status == 200, body
    status, body = api.post("/collections/lim/points/query", {"query": q, "limit": 51})
    assert status == 422, body
    assert "max_query_limit" in error_of(body)
    status, body = api.post("/collections/lim/points/query", {"query": q, "limit": 5, "offset": 101})
    assert status == 422, body
    assert "max_query_offset" in error_of(body)
    status, body = api.post("/collections/lim/points/search", {"vector": q, "limit": 51})
    assert status == 422, body
    status, body = api.post("/collections/lim/points/scroll", {"limit": 50})
    assert status == 200, body
    status, body = api.post("/collections/lim/points/scroll", {"limit": 51})
    assert status == 422, body
    assert "max_query_limit" in error_of(body)


def test_collection_count_limit(limited):
    api = limited
    existing = len(api.ok("GET", "/collections")["collections"])
    names = ["cap_%d" % i for i in range(3 - existing)]
    for n in names:
        create_collection(api, n, size=4)
    status, body = api.put("/collections/one_too_many", {"vectors": {"size": 4, "distance": "Dot"}})
    assert status == 400, body
    assert "max_collections" in error_of(body)
    # An existing name is still answered as Qdrant does (409), not as the limit.
    status, body = api.put("/collections/lim", {"vectors": {"size": 4, "distance": "Dot"}})
    assert status == 409, body
    api.ok("DELETE", "/collections/" + names[0])
    create_collection(api, "one_more", size=4)
    for n in names[1:] + ["one_more"]:
        api.ok("DELETE", "/collections/" + n)


# --- slow clients, connection cap, idle keep-alive -------------------------------------------------------


def connect(server, timeout=30):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body: (status, headers, body) or None if closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:n]


def closed_by_server(sock):
    """True when the server closes the connection (EOF or reset) before the socket timeout."""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


@pytest.fixture
def slow_server(make_server):
    return make_server(extra_env={
        "QUIVER__SERVICE__HEADER_TIMEOUT_SEC": "1",
        "QUIVER__SERVICE__BODY_TIMEOUT_SEC": "1",
        "QUIVER__SERVICE__IDLE_TIMEOUT_SEC": "1",
        "QUIVER__SERVICE__MAX_WORKERS": "1",
    })


def test_slowloris_headers_are_cut_off_without_blocking_others(slow_server):
    server = slow_server
    api = Api(server)
    slow = [connect(server) for _ in range(8)]
    for s in slow:
        s.sendall(b"GET /collections HTTP/1.1\r\nHost: x\r\n")
    # While they trickle, a normal client on the single worker is served.
    assert api.ok("GET", "/collections") == {"collections": []}
    # Trickle one header byte at a time; the server must close before the 200 bytes are all sent
    # (header_timeout_sec=1 bounds the whole header, however slowly it comes).
    s = slow[0]
    cut = False
    for i in range(200):
        try:
            s.sendall(b"X" if i % 20 else b"\r\nX-Slow: ")
        except (BrokenPipeError, ConnectionResetError):
            cut = True
            break
        s.settimeout(0.1)
        try:
            if s.recv(1) == b"":
                cut = True
                break
        except socket.timeout:
            pass
        except ConnectionResetError:
            cut = True
            break
    assert cut, "a client trickling its headers was never disconnected"
    for s in slow[1:]:
        s.settimeout(30)
        assert closed_by_server(s)
        s.close()
    # A fresh session: the first call's kept-alive connection reaches the 1 s idle timeout about now,
    # and reusing it would race the server closing it.
    assert Api(server).ok("GET", "/collections") == {"collections": []}


def test_stalled_body_is_cut_off(slow_server):
    s = connect(slow_server)
    s.sendall(b"PUT /collections/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{\"vectors\":")
    assert closed_by_server(s), "a client that stopped sending its body kept the connection"
    s.close()
    # The collection was never created from the partial body.
    assert Api(slow_server).ok("GET", "/collections") == {"collections": []}


def test_idle_keep_alive_connection_is_closed(slow_server):
    s = connect(slow_server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = read_response(s)
    assert resp is not None and resp[0] == 200
    assert resp[1].get("connection", "keep-alive").lower() != "close"
    # Idle after the response: closed after idle_timeout_sec (1 s), long before the 30 s socket timeout.
    assert closed_by_server(s)
    s.close()


def test_connection_cap(make_server):
    server = make_server(extra_env={"QUIVER__SERVICE__MAX_CONNECTIONS": "4",
                                    "QUIVER__SERVICE__IDLE_TIMEOUT_SEC": "300"})
    held = []

    def hold_one():  # retried: the harness's readiness probe may not be reaped by the server yet
        s = connect(server)
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            resp = read_response(s)
        except (ConnectionResetError, BrokenPipeError):
            resp = None
        if resp is not None and resp[0] == 200:
            held.append(s)
            return True
        s.close()
        return False

    for _ in range(4):
        assert wait_until(hold_one, timeout=10)
    extra = connect(server)
    resp = read_response(extra)  # answered at once, without a request
    assert resp is not None, "a connection over the cap was closed without an answer"
    status, headers, body = resp
    assert status == 503
    assert headers["content-type"].startswith("application/json")
    assert headers.get("retry-after") == "1"  # clients (and quiver ingest) back off and retry
    error = json.loads(body)["status"]["error"]
    assert "max_connections" in error
    extra.close()
    # The held connections still work.
    held[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_response(held[0])[0] == 200
    # Closing one frees a slot.
    held.pop().close()

    def new_connection_served():
        c = connect(server)
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            r = read_response(c)
            return r is not None and r[0] == 200
        except (ConnectionResetError, BrokenPipeError):
            return False
        finally:
            c.close()

    wait_until(new_connection_served, timeout=10)
    for s in held:
        s.close()
