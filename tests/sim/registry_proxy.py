"""A fault-injecting HTTP proxy in front of the real docker-registry (runs in a thread of the
test process). It forwards every request unchanged, counts and logs them, and on demand:

  faults (set_faults([{...}]); each {"kind", "path": regex, "count": n|-1}):
    status        answer `status` (e.g. 500, 503, 429 with Retry-After: 1) instead
    stall         hold the request for `seconds` before forwarding (timeouts)
    drop          close the connection without an answer
    truncate      announce the full Content-Length, send half the body, close
    wrong_digest  forward, but flip one byte of the body (manifest digest mismatch)
    lying_header  forward, but send a wrong Docker-Content-Digest header
    redirect_loop answer 302 to the same URL (forever)
    huge          answer a 200 manifest of `size` bytes
    html          answer 200 with an HTML body (a captive portal)
  require_auth(user, password): every /v2/ request needs a bearer token from /token, which
    needs HTTP Basic user:password (the docker token flow); tokens are logged as secrets.
"""
import base64
import http.client
import json
import re
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RegistryProxy:
    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.lock = threading.Lock()
        self.faults = []
        self.requests = []
        self.auth = None
        self.tokens = set()
        self.server = None

    def start(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                try:
                    proxy.handle(self)
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    self.close_connection = True  # the agent gave up (timeout, size limit)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def set_faults(self, faults):
        with self.lock:
            self.faults = [dict(f) for f in faults]

    def require_auth(self, user, password):
        self.auth = (user, password)

    def count(self):
        with self.lock:
            return len(self.requests)

    def pick(self, path):
        with self.lock:
            for f in self.faults:
                if f.get("count", -1) == 0 or not re.search(f.get("path", ""), path):
                    continue
                if f.get("count", -1) > 0:
                    f["count"] -= 1
                return f
        return None

    # ---- one request ----------------------------------------------------------------------
    def handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append((h.command, h.path))
        if self.auth and not self.authorized(h):
            return
        fault = self.pick(h.path)
        kind = fault["kind"] if fault else None
        if kind == "status":
            extra = {"Retry-After": "1"} if fault["status"] == 429 else {}
            return self.answer(h, fault["status"], json.dumps({"errors": [{
                "code": "UNAVAILABLE", "message": "injected %d" % fault["status"]}]}).encode(),
                extra)
        if kind == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "redirect_loop":
            return self.answer(h, 302, b"", {"Location": h.path})
        if kind == "huge":
            blob = b'{"schemaVersion":2,"pad":"' + b"x" * fault.get("size", 8 << 20) + b'"}'
            return self.answer(h, 200, blob,
                               {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        if kind == "html":
            return self.answer(h, 200, b"<html><body>Please log in</body></html>",
                               {"Content-Type": "text/html"})
        if kind == "stall":
            time.sleep(fault.get("seconds", 10))
        status, headers, data = self.forward(h, body)
        if kind == "wrong_digest" and data:
            data = data[:-2] + (b" }" if data[-2:] != b" }" else b"}}")
        if kind == "lying_header":
            headers = [(k, v) for k, v in headers if k.lower() != "docker-content-digest"]
            headers.append(("Docker-Content-Digest", "sha256:" + "0" * 64))
        if kind == "truncate" and data:
            h.send_response(status)
            for k, v in headers:
                if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                    h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        self.answer(h, status, data, dict(headers), head=h.command == "HEAD")

    def forward(self, h, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=30)
        headers = {k: v for k, v in h.headers.items()
                   if k.lower() not in ("host", "authorization", "connection")}
        conn.request(h.command, h.path, body=body or None, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, r.getheaders(), data

    @staticmethod
    def answer(h, status, data, headers, head=False):
        h.send_response(status)
        length = headers.pop("Content-Length", None) if head else None
        for k, v in headers.items():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date",
                                 "server"):
                h.send_header(k, v)
        h.send_header("Content-Length", length if head and length else str(len(data)))
        h.end_headers()
        if not head:
            h.wfile.write(data)

    def authorized(self, h):
        """The docker token flow: /token with Basic → bearer; /v2/ with a known bearer."""
        got = h.headers.get("Authorization", "")
        if h.path.startswith("/token"):
            want = "Basic " + base64.b64encode(("%s:%s" % self.auth).encode()).decode()
            if got != want:
                self.answer(h, 401, b'{"details":"bad credentials"}', {})
                return False
            token = "sim-registry-token-" + secrets.token_hex(16)
            with self.lock:
                self.tokens.add(token)
            self.answer(h, 200, json.dumps({"token": token, "expires_in": 300}).encode(),
                        {"Content-Type": "application/json"})
            return False
        if got.startswith("Bearer ") and got[7:] in self.tokens:
            return True
        realm = "http://127.0.0.1:%d/token" % self.port
        self.answer(h, 401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {
            "WWW-Authenticate": 'Bearer realm="%s",service="sim-registry",scope="repository:'
                                'os/rhcos:pull"' % realm})
        return False
