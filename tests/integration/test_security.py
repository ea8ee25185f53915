"""Access control and TLS against real servers (docs/operations/security.md).

API keys (`api-key` header or `Authorization: Bearer`), the read-only key, Qdrant's jwt_rbac tokens
(HS256 signed with the API key: global r/m or per collection), HTTPS with a certificate made here by
the openssl CLI (also with required client certificates), `quiver ingest` over HTTPS, and config
files holding keys that every user could read. JSON responses go through the contract-validating
Api; the 401/403 answers of the authentication step are plain text in Qdrant, checked as such.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

import pytest
import requests

from harness import QUIVER_BIN, Api, QuiverServer

RW = "rw-key-0123456789"
RO = "ro-key-9876543210"
DIM = 4
NO_KEY = "Must provide an API key or an Authorization bearer token"
BAD_KEY = "Invalid API key or JWT"
GLOBAL_MANAGE = "Forbidden: Global manage access is required"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, key=RW, alg="HS256"):
    """A JWT with these claims; alg "none" gives an unsigned token."""
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    if alg == "none":
        return head + "." + body + "."
    sig = hmac.new(key.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b64(sig)


def refused(api, method, path, code, text, headers=None, **kw):
    """The authentication step's answer: plain text (Qdrant's actix middleware), exact message."""
    status, body = api.request(method, path, headers=headers, validate=False, **kw)
    assert status == code, (method, path, status, body)
    assert api.last.headers["Content-Type"].startswith("text/plain"), api.last.headers
    assert body == text, body


def forbidden(api, method, path, message, headers, **kw):
    """An access check's answer: Qdrant's JSON error envelope with 403 (contract-validated)."""
    status, body = api.request(method, path, headers=headers, **kw)
    assert status == 403, (method, path, status, body)
    assert body["status"]["error"] == message, body


def bearer(token):
    return {"Authorization": "Bearer " + token}


def points(n, start=1):
    return {"points": [{"id": i, "vector": [float(i), 1.0, 0.5, 0.25], "payload": {"k": "v%d" % i}}
                       for i in range(start, start + n)]}


@pytest.fixture(scope="module")
def keyed():
    """A server with both keys and jwt_rbac, configured through Qdrant's environment names."""
    s = QuiverServer(extra_env={
        "QDRANT__SERVICE__API_KEY": RW,
        "QDRANT__SERVICE__READ_ONLY_API_KEY": RO,
        "QDRANT__SERVICE__JWT_RBAC": "true",
    }).start()
    admin = Api(s, headers={"api-key": RW})
    for name in ("a", "b", "c"):
        admin.ok("PUT", "/collections/" + name, json={"vectors": {"size": DIM, "distance": "Dot"}})
        admin.ok("PUT", "/collections/%s/points?wait=true" % name, json=points(5))
    admin.ok("POST", "/collections/aliases",
             json={"actions": [{"create_alias": {"collection_name": "b", "alias_name": "b_alias"}},
                               {"create_alias": {"collection_name": "c", "alias_name": "c_alias"}}]})
    yield s
    s.close()


@pytest.fixture(scope="module")
def anon(keyed):
    return Api(keyed)


def test_open_routes_need_no_key(anon):
    for path in ("/", "/healthz", "/livez", "/readyz"):
        status, _ = anon.get(path)
        assert status == 200, path


def test_missing_key_is_401(anon):
    for method, path in (("GET", "/collections"), ("GET", "/metrics"), ("GET", "/telemetry"),
                         ("PUT", "/collections/x"), ("GET", "/no/such/route")):
        refused(anon, method, path, 401, NO_KEY)
    # "Bearer " is the only Authorization scheme that carries a key.
    refused(anon, "GET", "/collections", 401, NO_KEY, headers={"Authorization": "Basic " + RW})


def test_wrong_key_is_401(anon):
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers={"api-key": RW + "x"})
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers=bearer(RW[:-1]))
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers={"api-key": "not.a.jwt"})


def test_key_in_either_header(anon):
    for headers in ({"api-key": RW}, bearer(RW), {"api-key": RO}, bearer(RO)):
        status, body = anon.get("/collections", headers=headers)
        assert status == 200, (headers, body)
        assert {c["name"] for c in body["result"]["collections"]} == {"a", "b", "c"}
    # api-key wins over Authorization, as in Qdrant.
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers={"api-key": "wrong", **bearer(RW)})


def test_read_only_key_reads(anon):
    ro = {"api-key": RO}
    for method, path, body in (
            ("GET", "/collections/a", None),
            ("GET", "/collections/a/exists", None),
            ("GET", "/collections/a/points/1", None),
            ("POST", "/collections/a/points", {"ids": [1, 2]}),
            ("POST", "/collections/a/points/scroll", {"limit": 2}),
            ("POST", "/collections/a/points/count", {}),
            ("POST", "/collections/a/points/search", {"vector": [1, 0, 0, 0], "limit": 2}),
            ("POST", "/collections/a/points/query", {"query": [1, 0, 0, 0], "limit": 2}),
            ("GET", "/collections/a/snapshots", None),
            ("GET", "/aliases", None),
            ("GET", "/snapshots", None)):
        kw = {} if body is None else {"json": body}
        status, out = anon.request(method, path, headers=ro, **kw)
        assert status == 200, (method, path, status, out)
    status, _ = anon.request("GET", "/metrics", headers=ro)
    assert status == 200


def test_read_only_key_cannot_write(anon):
    ro = {"api-key": RO}
    writes = [
        ("PUT", "/collections/a/points?wait=true", points(1, start=100)),  # upsert
        ("POST", "/collections/a/points/delete?wait=true", {"points": [1]}),
        ("POST", "/collections/a/points/payload?wait=true", {"payload": {"x": 1}, "points": [1]}),
        ("PUT", "/collections/ro_new", {"vectors": {"size": DIM, "distance": "Dot"}}),
        ("PATCH", "/collections/a", {}),
        ("DELETE", "/collections/a", None),
        ("PUT", "/collections/a/index?wait=true", {"field_name": "k", "field_schema": "keyword"}),
        ("DELETE", "/collections/a/index/k", None),
        ("POST", "/collections/a/snapshots", None),
        ("POST", "/snapshots", None),
        ("POST", "/collections/aliases",
         {"actions": [{"delete_alias": {"alias_name": "b_alias"}}]}),
        ("PUT", "/collections/a/snapshots/recover", {"location": "file:///nope.snapshot"}),
    ]
    for method, path, body in writes:
        kw = {} if body is None else {"json": body}
        forbidden(anon, method, path, GLOBAL_MANAGE, ro, **kw)
    admin = {"api-key": RW}
    assert anon.ok("POST", "/collections/a/points/count", json={}, headers=admin)["count"] == 5
    assert anon.ok("GET", "/collections/a/exists", headers=admin)["exists"]
    assert not anon.ok("GET", "/collections/ro_new/exists", headers=admin)["exists"]
    assert anon.ok("GET", "/collections/a/snapshots", headers=admin) == []


def test_jwt_global_access(anon):
    read, manage = bearer(jwt({"access": "r"})), bearer(jwt({"access": "m"}))
    assert anon.ok("POST", "/collections/a/points/count", json={}, headers=read)["count"] == 5
    forbidden(anon, "PUT", "/collections/a/points?wait=true", GLOBAL_MANAGE, read, json=points(1, 50))
    assert anon.ok("PUT", "/collections/a/points?wait=true", json=points(1, 50), headers=manage)
    assert anon.ok("POST", "/collections/a/points/delete?wait=true", json={"points": [50]},
                   headers=manage)
    # The api-key header carries tokens too; a missing `access` claim means manage (as Qdrant).
    assert anon.ok("GET", "/collections", headers={"api-key": jwt({"sub": "x"})})


def test_jwt_per_collection_access(anon):
    token = bearer(jwt({"access": [{"collection": "a", "access": "r"},
                                   {"collection": "b", "access": "rw"}]}))
    listed = anon.ok("GET", "/collections", headers=token)
    assert sorted(c["name"] for c in listed["collections"]) == ["a", "b"]
    aliases = anon.ok("GET", "/aliases", headers=token)["aliases"]
    assert [a["alias_name"] for a in aliases] == ["b_alias"]
    # Reads where granted; writes only with rw.
    assert anon.ok("POST", "/collections/a/points/search", json={"vector": [1, 0, 0, 0], "limit": 1},
                   headers=token)
    forbidden(anon, "PUT", "/collections/a/points?wait=true",
              "Forbidden: Write access to collection a is required", token, json=points(1, 60))
    assert anon.ok("PUT", "/collections/b/points?wait=true", json=points(1, 60), headers=token)
    # Through an alias of a granted collection, and not through one of another collection.
    assert anon.ok("POST", "/collections/b_alias/points/count", json={}, headers=token)["count"] == 6
    forbidden(anon, "POST", "/collections/c_alias/points/count",
              "Forbidden: Access to collection c_alias is required", token, json={})
    forbidden(anon, "GET", "/collections/c", "Forbidden: Access to collection c is required", token)
    # No reading another collection through a lookup.
    forbidden(anon, "POST", "/collections/a/points/query", "Forbidden: Access to collection c is required",
              token, json={"query": {"recommend": {"positive": [1]}}, "lookup_from": {"collection": "c"}})
    status, _ = anon.post("/collections/a/points/query", headers=token,
                          json={"query": {"recommend": {"positive": [1]}}, "lookup_from": {"collection": "b"}})
    assert status != 403
    # Managing collections, aliases and the instance needs global access.
    forbidden(anon, "DELETE", "/collections/b", "Forbidden: Manage access for this operation is required",
              token)
    forbidden(anon, "PUT", "/collections/d", "Forbidden: Access to collection d is required", token,
              json={"vectors": {"size": DIM, "distance": "Dot"}})
    forbidden(anon, "GET", "/metrics", "Forbidden: Global access is required", token)
    forbidden(anon, "POST", "/collections/aliases", "Forbidden: Global access is required", token,
              json={"actions": [{"delete_alias": {"alias_name": "b_alias"}}]})
    # Payload indexes and snapshots need rw; prw is points only.
    prw = bearer(jwt({"access": [{"collection": "b", "access": "prw"}]}))
    assert anon.ok("POST", "/collections/b/points/delete?wait=true", json={"points": [60]}, headers=prw)
    forbidden(anon, "PUT", "/collections/b/index?wait=true",
              "Forbidden: Write access to collection b is required", prw,
              json={"field_name": "k", "field_schema": "keyword"})
    assert anon.ok("PUT", "/collections/b/index?wait=true",
                   json={"field_name": "k", "field_schema": "keyword"}, headers=token)


def test_jwt_refusals(anon):
    now = int(time.time())
    refused(anon, "GET", "/collections", 403, "ExpiredSignature",
            headers=bearer(jwt({"access": "m", "exp": now - 3600})))
    assert anon.ok("GET", "/collections", headers=bearer(jwt({"access": "m", "exp": now + 3600})))
    refused(anon, "GET", "/collections", 403, "InvalidSignature",
            headers=bearer(jwt({"access": "m"}, key="another-secret")))
    # Signed with the read-only key: not a signing secret.
    refused(anon, "GET", "/collections", 403, "InvalidSignature", headers=bearer(jwt({"access": "m"}, key=RO)))
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers=bearer(jwt({"access": "m"}, alg="none")))
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers=bearer(jwt({"access": "m"}, alg="HS512")))
    refused(anon, "GET", "/collections", 401, BAD_KEY, headers=bearer(jwt({"access": "admin"})))
    # Restrictions Quiver cannot enforce are refused, never ignored.
    payload = jwt({"access": [{"collection": "a", "access": "r", "payload": {"k": "v1"}}]})
    status, _ = anon.request("GET", "/collections", headers=bearer(payload), validate=False)
    assert status == 403


def test_jwt_needs_jwt_rbac(make_server):
    s = make_server(extra_env={"QUIVER__SERVICE__API_KEY": RW})
    api = Api(s)
    assert api.ok("GET", "/collections", headers={"api-key": RW}) == {"collections": []}
    refused(api, "GET", "/collections", 401, BAD_KEY, headers=bearer(jwt({"access": "m"})))


# --- TLS -------------------------------------------------------------------------------------------

def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA."""
    d = tmp_path_factory.mktemp("pki")
    p = {k: str(d / (k + ".pem")) for k in ("ca", "ca_key", "cert", "key", "client", "client_key",
                                             "other", "other_key")}
    for cert, key in (("ca", "ca_key"), ("other", "other_key")):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p[key], "-out", p[cert],
                "-days", "1", "-subj", "/CN=quiver test " + cert)
    ext = d / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    for cert, key, cn in (("cert", "key", "127.0.0.1"), ("client", "client_key", "client")):
        csr = str(d / (cert + ".csr"))
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p[key], "-out", csr, "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial",
                "-out", p[cert], "-days", "1", "-extfile", str(ext))
        os.chmod(p[key], 0o600)
    return p


def tls_env(pki, **extra):
    env = {"QUIVER__SERVICE__ENABLE_TLS": "true", "QUIVER__TLS__CERT": pki["cert"],
           "QUIVER__TLS__KEY": pki["key"]}
    env.update(extra)
    return env


def test_https(make_server, pki):
    s = make_server(extra_env=tls_env(pki, QUIVER__SERVICE__API_KEY=RW), scheme="https",
                    ca_cert=pki["ca"])
    api = Api(s, headers={"api-key": RW})
    status, body = api.get("/")
    assert status == 200 and "version" in body
    api.ok("PUT", "/collections/t", json={"vectors": {"size": DIM, "distance": "Dot"}})
    # Plain HTTP to the TLS port gets no HTTP answer; an unknown CA is not trusted.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("http://127.0.0.1:%d/collections" % s.port, headers={"api-key": RW}, timeout=5)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(s.base_url + "/", timeout=5)


def test_client_certificates_required(make_server, pki):
    s = make_server(extra_env=tls_env(pki, QUIVER__SERVICE__VERIFY_HTTPS_CLIENT_CERTIFICATE="true",
                                      QUIVER__TLS__CA_CERT=pki["ca"]),
                    scheme="https", ca_cert=pki["ca"], client_cert=(pki["client"], pki["client_key"]))
    assert Api(s).ok("GET", "/collections") == {"collections": []}
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(s.base_url + "/collections", verify=pki["ca"], timeout=5)
    # A certificate the client CA did not sign.
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(s.base_url + "/collections", verify=pki["ca"],
                     cert=(pki["other"], pki["other_key"]), timeout=5)


def test_unreadable_certificate_stops_startup(tmp_path, pki):
    env = dict(os.environ, QUIVER__SERVICE__HTTP_PORT="0", QUIVER__SERVICE__HOST="127.0.0.1",
               QUIVER__STORAGE__STORAGE_PATH=str(tmp_path / "s"),
               **tls_env(pki, QUIVER__TLS__CERT=str(tmp_path / "missing.pem")))
    for args in (["--check-config"], []):
        r = subprocess.run([QUIVER_BIN, "serve"] + args, env=env, capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 1, args
        assert "tls.cert" in r.stdout + r.stderr and "missing.pem" in r.stdout + r.stderr
    # A key that does not belong to the certificate.
    env["QUIVER__TLS__CERT"], env["QUIVER__TLS__KEY"] = pki["cert"], pki["client_key"]
    r = subprocess.run([QUIVER_BIN, "serve", "--check-config"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 1 and "does not match" in r.stdout + r.stderr


def test_ingest_over_https(make_server, pki, tmp_path):
    s = make_server(extra_env=tls_env(pki, QUIVER__SERVICE__API_KEY=RW), scheme="https",
                    ca_cert=pki["ca"])
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"id": i, "vector": [i, 1, 2, 3]}) + "\n" for i in range(1, 51)))
    base = [QUIVER_BIN, "ingest", "--url", s.base_url, "-c", "ing", "-f", str(data), "--create",
            "size=%d,distance=Dot" % DIM, "--progress", "none", "--reject-file", "none"]
    env = dict(os.environ, QUIVER_API_KEY=RW)
    r = subprocess.run(base, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "certificate" in r.stderr, r.stderr  # CA not given
    r = subprocess.run(base + ["--ca-cert", pki["ca"]], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert RW not in r.stdout + r.stderr
    assert Api(s, headers={"api-key": RW}).ok("POST", "/collections/ing/points/count",
                                              json={})["count"] == 50
    r = subprocess.run(base + ["--ca-cert", pki["ca"], "--api-key", RW + "-wrong"],
                       env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert RW not in r.stdout + r.stderr


# --- secrets in config files -----------------------------------------------------------------------

def test_world_readable_config_with_keys_is_refused(tmp_path, make_server):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("service:\n  api_key: %s\n" % RW)
    os.chmod(cfg, 0o644)
    check = [QUIVER_BIN, "serve", "--config", str(cfg), "--check-config"]
    r = subprocess.run(check, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert str(cfg) in out and "chmod" in out and "--allow-world-readable-config" in out
    assert RW not in out
    r = subprocess.run(check + ["--allow-world-readable-config"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    # Without keys the same mode is fine; with mode 0600 the server starts and uses the key.
    plain = tmp_path / "plain.yaml"
    plain.write_text("log_level: warn\n")
    os.chmod(plain, 0o644)
    r = subprocess.run([QUIVER_BIN, "serve", "--config", str(plain), "--check-config"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    os.chmod(cfg, 0o600)
    s = make_server(args=["--config", str(cfg)])
    refused(Api(s), "GET", "/collections", 401, NO_KEY)
    with open(s.log_path) as f:
        assert RW not in f.read()
