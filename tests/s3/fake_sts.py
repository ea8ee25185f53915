"""A tiny fake AWS STS for AssumeRoleWithWebIdentity on 127.0.0.1 (the client finds it through
AWS_ENDPOINT_URL_STS). It checks the form fields, accepts only the expected role and token, and hands
out numbered temporary credentials with the configured lifetime; `calls` records every request."""
import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class FakeSts:
    def __init__(self, role_arn, token, lifetime_s=3600):
        self.role_arn = role_arn
        self.token = token
        self.lifetime_s = lifetime_s
        self.calls = []
        self.issued = {}  # access key -> (secret, session token)
        self.server = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        sts = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = dict(parse_qsl(body, keep_blank_values=True))
                sts.calls.append(form)
                if (form.get("Action") != "AssumeRoleWithWebIdentity" or
                        form.get("Version") != "2011-06-15" or not form.get("RoleSessionName")):
                    return self._reply(400, self._error("InvalidAction", "bad request"))
                if form.get("RoleArn") != sts.role_arn or form.get("WebIdentityToken") != sts.token:
                    return self._reply(403, self._error("InvalidIdentityToken",
                                                        "token or role not accepted"))
                n = len(sts.issued) + 1
                key, secret, token = f"ASIAFAKE{n:04d}", f"fake-secret-{n}", f"fake-session-token-{n}"
                sts.issued[key] = (secret, token)
                expires = (datetime.datetime.now(datetime.timezone.utc) +
                           datetime.timedelta(seconds=sts.lifetime_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
                xml = ("<AssumeRoleWithWebIdentityResponse "
                       "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                       "<AssumeRoleWithWebIdentityResult><Credentials>"
                       f"<AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
                       f"<SessionToken>{token}</SessionToken><Expiration>{expires}</Expiration>"
                       "</Credentials></AssumeRoleWithWebIdentityResult>"
                       "</AssumeRoleWithWebIdentityResponse>")
                self._reply(200, xml)

            @staticmethod
            def _error(code, message):
                return ("<ErrorResponse><Error><Type>Sender</Type>"
                        f"<Code>{code}</Code><Message>{message}</Message></Error>"
                        "<RequestId>fake</RequestId></ErrorResponse>")

            def _reply(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
