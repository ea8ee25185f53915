"""Credentials against a signature-checking gateway: session tokens, profile files, web identity
through a fake STS (with refresh), and a wrong secret being caught (the checker can fail)."""
import os

from conftest import BUCKET, Tool
from fake_sts import FakeSts
from s3_gateway import S3Gateway

URL = f"s3://{BUCKET}/creds"
ROLE = "arn:aws:iam::123456789012:role/quiver-backup"


def base_env(gw):
    return {"AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": gw.endpoint, "HOME": "/nonexistent"}


def test_session_token_is_sent_and_signed(s3rver):
    gw = S3Gateway(s3rver, secrets={"ASIATEMP": ("tempsecret", "the-session-token")}).start()
    try:
        env = dict(base_env(gw), AWS_ACCESS_KEY_ID="ASIATEMP", AWS_SECRET_ACCESS_KEY="tempsecret",
                   AWS_SESSION_TOKEN="the-session-token")
        t = Tool(env)
        t.run("put-bytes", URL, "tok/x", "1")
        assert t.run("list", URL, "tok/").stdout == "1 tok/x\n"
        assert gw.bad_requests() == []
        assert all(r.session_token == "the-session-token" for r in gw.requests)
    finally:
        gw.stop()


def test_wrong_secret_fails_the_signature_check(s3rver):
    gw = S3Gateway(s3rver).start()
    try:
        t = Tool(dict(base_env(gw), AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="wrong-secret"))
        r = t.run("list", URL, check=False)
        assert r.returncode == 1 and "SignatureDoesNotMatch" in r.stderr
        assert "wrong-secret" not in r.stderr
        assert len(gw.bad_requests()) == 1  # not retried
    finally:
        gw.stop()


def test_profile_file(s3rver, tmp_path):
    gw = S3Gateway(s3rver).start()
    try:
        creds = tmp_path / "credentials"
        creds.write_text("[default]\naws_access_key_id = NOPE\naws_secret_access_key = nope\n"
                         "[backup]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n")
        config = tmp_path / "config"
        config.write_text("[profile backup]\nregion = us-east-1\n")
        env = {"AWS_ENDPOINT_URL": gw.endpoint, "AWS_SHARED_CREDENTIALS_FILE": str(creds),
               "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "backup", "HOME": "/nonexistent"}
        t = Tool(env)
        t.run("put-bytes", URL, "profile/x", "1")
        assert gw.bad_requests() == []
        assert {r.headers["authorization"].split("Credential=")[1].split("/")[0]
                for r in gw.requests} == {"S3RVER"}
    finally:
        gw.stop()


def test_no_credentials_is_a_clear_error():
    r = Tool({"HOME": "/nonexistent", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}).run(
        "list", URL, check=False)
    assert r.returncode == 1 and "no AWS credentials found" in r.stderr


def web_identity_env(gw, sts, token_file):
    return dict(base_env(gw), AWS_ROLE_ARN=ROLE, AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file),
                AWS_ENDPOINT_URL_STS=sts.endpoint)


def test_web_identity(s3rver, tmp_path):
    sts = FakeSts(ROLE, "k8s-projected-jwt").start()
    gw = S3Gateway(s3rver, secrets=sts.issued).start()
    try:
        token = tmp_path / "token"
        token.write_text("k8s-projected-jwt\n")
        t = Tool(web_identity_env(gw, sts, token))
        t.run("put-bytes", URL, "wi/x", "1")
        assert t.run("cat", URL, "wi/x").stdout == "1"
        assert gw.bad_requests() == []
        assert all(r.session_token and r.session_token.startswith("fake-session-token-")
                   for r in gw.requests)
        assert len(sts.calls) == 2  # once per process: credentials last an hour
        assert sts.calls[0]["RoleArn"] == ROLE and sts.calls[0]["RoleSessionName"]
    finally:
        gw.stop()
        sts.stop()


def test_web_identity_credentials_are_refreshed_before_expiry(s3rver, tmp_path):
    # Credentials valid for 2 minutes are inside the 5-minute refresh margin: every request refreshes.
    sts = FakeSts(ROLE, "jwt-1", lifetime_s=120).start()
    gw = S3Gateway(s3rver, secrets=sts.issued).start()
    try:
        token = tmp_path / "token"
        token.write_text("jwt-1")
        t = Tool(web_identity_env(gw, sts, token))
        src = tmp_path / "f"
        src.write_bytes(os.urandom(200_000))
        t.run("--part-size", 65536, "--parallel", 1, "put", URL, "wi/refresh", src)
        assert gw.bad_requests() == []
        assert len(sts.calls) >= 6  # start + create + 4 parts + complete
        assert len({r.session_token for r in gw.requests}) >= 5
        # The token file is re-read at each refresh (Kubernetes rotates it).
        sts.token = "jwt-2"
        token.write_text("jwt-2")
        t.run("put-bytes", URL, "wi/after-rotation", "x")
        assert sts.calls[-1]["WebIdentityToken"] == "jwt-2"
    finally:
        gw.stop()
        sts.stop()


def test_web_identity_rejected_token_is_a_clear_error(s3rver, tmp_path):
    sts = FakeSts(ROLE, "the-right-token").start()
    try:
        token = tmp_path / "token"
        token.write_text("a-stolen-token")
        t = Tool({"HOME": "/nonexistent", "AWS_REGION": "us-east-1", "AWS_ROLE_ARN": ROLE,
                  "AWS_WEB_IDENTITY_TOKEN_FILE": str(token), "AWS_ENDPOINT_URL_STS": sts.endpoint,
                  "AWS_ENDPOINT_URL_S3": s3rver.endpoint})
        r = t.run("list", URL, check=False)
        assert r.returncode == 1
        assert "InvalidIdentityToken" in r.stderr and ROLE in r.stderr
        assert "a-stolen-token" not in r.stderr
    finally:
        sts.stop()
