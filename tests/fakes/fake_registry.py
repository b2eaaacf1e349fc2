#!/usr/bin/python3
"""The tests' one registry double: a registry and Bearer token server on 127.0.0.1 that answers
from its own small store (standalone: one OCI manifest under every name; tests/net, tests/trust)
or forwards to an upstream registry (proxy: Debian's docker-registry in tests/sim), and that
injects faults, all through one fault list.

  fake_registry.py PORTFILE [--tls CERT KEY CA] [--upstream PORT]
      listens on 127.0.0.1:<free port>, writes the port to PORTFILE, serves until killed.
      --tls: HTTPS with CERT/KEY; a client certificate signed by CA is asked for but optional
      (its CN shows in /_net/echo). --upstream: proxy mode, forwarding to 127.0.0.1:PORT.
  FakeRegistry(upstream=None, tls=None).start(): the same in a thread of the test process;
      .port, .set_faults(list), .require_auth(user, password[, paths]), .reset(), .count(),
      .requests [(method, path)], .tokens {token: expiry}, .stop().

Faults (set_faults): each {"kind", "path": regex searched in the request path (query included),
"count": n, or -1 (the default) for ever}; the first fault that matches and is not used up acts:
  status        answer `status` with an error body; Retry-After `retry_after` (429: 1 unless given)
  stall         wait `seconds` (default 10), then answer as usual (timeouts)
  drop          close the connection without an answer
  truncate      answer as usual but send half the body under the full Content-Length, and close
  wrong_digest  answer as usual with one byte of the body changed (its digest no longer matches)
  lying_header  answer as usual with a wrong Docker-Content-Digest header
  redirect_loop 302 to the same URL (forever)
  huge          a 200 manifest of `size` bytes (default 8 MiB)
  body          200 with `body` (text; characters up to U+00FF are bytes) as Content-Type `type`
  challenge     401 with a Bearer challenge naming `realm` ({1}: the path regex's first group)
  bad_token     on /token: a token this server does not accept
  short_token   on /token: a token that lives `seconds`, sent as "access_token" alone
Authentication (require_auth): a request whose path matches `paths` needs a Bearer token, else
401 + WWW-Authenticate: Bearer realm="http://127.0.0.1:<port>/token",service,scope; /token needs
HTTP Basic user:password and answers {"token", "access_token", "expires_in": 300}. A fault on
a protected path acts only once the request carries a valid token.

Standalone defaults (reset() restores them; proxy mode has no faults and no authentication):
  repository       answer (STANDALONE_FAULTS)
  bad/garbage      200, body "\\0garbage{" as an OCI manifest
  bad/utf8         200, Content-Type with invalid UTF-8 and a terminal escape
  bad/notmanifest  200, {"hello":"world"} as application/json
  bad/truncated    truncate
  bad/oversized    huge, 5 MiB
  bad/wrongdigest  lying_header
  flaky/x          status 503, Retry-After 1, on the first request only (until reset())
  busy/x           status 429, Retry-After 100
  elsewhere/<port> challenge with realm http://127.0.0.1:<port>/token (another server, plain HTTP,
                   like a TLS registry that names a clear-text token service)
  private/*, badtoken/*, expiring/*   need a token: user "alice", password "wonderland";
                   badtoken/* gets bad_token, expiring/* short_token of 1 s
Hooks for the HTTP client's own tests (tests/net), under /_net/:
  echo                         JSON: method, path, body, authorization, via (proxy), client_cn
  redirect?to=URL[&status=N]   a redirect (302 unless N) to URL
  big?bytes=N[&chunked=1]      N bytes of body, with Content-Length or chunked
  deep?depth=N                 JSON nested N arrays deep
GET /stats: request counters as JSON {"token", "manifest", "echo"}.
Follows the distribution API: status codes, error bodies {"errors": [{"code", "message"}]}.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "sha256:" + "0" * 64, "size": 2},
                       "layers": []}).encode()
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
JSON = {"Content-Type": "application/json"}
# distribution's error codes by status (registry/api/errcode); any other status: UNAVAILABLE
ERROR_CODES = {401: "UNAUTHORIZED", 403: "DENIED", 404: "MANIFEST_UNKNOWN", 405: "UNSUPPORTED",
               429: "TOOMANYREQUESTS", 500: "UNKNOWN"}
HOP_BY_HOP = ("content-length", "connection", "transfer-encoding", "date", "server")
TOKEN_LIFE = 300


def repo(name):
    """The path regex of one repository's manifests."""
    return "^/v2/%s/manifests/" % re.escape(name)


STANDALONE_FAULTS = [
    {"kind": "body", "path": repo("bad/garbage"), "body": "\x00garbage{", "type": OCI_MANIFEST},
    {"kind": "body", "path": repo("bad/utf8"), "body": '{"hello":"world"}',
     "type": "text/\xff\x1b[2J\xc0"},
    {"kind": "body", "path": repo("bad/notmanifest"), "body": '{"hello":"world"}',
     "type": "application/json"},
    {"kind": "truncate", "path": repo("bad/truncated")},
    {"kind": "huge", "path": repo("bad/oversized"), "size": 5 << 20},
    {"kind": "lying_header", "path": repo("bad/wrongdigest")},
    {"kind": "status", "path": repo("flaky/x"), "status": 503, "retry_after": 1, "count": 1},
    {"kind": "status", "path": repo("busy/x"), "status": 429, "retry_after": 100},
    {"kind": "challenge", "path": r"^/v2/elsewhere/(\d+)/", "realm": "http://127.0.0.1:{1}/token"},
    {"kind": "bad_token", "path": r"^/token\?.*badtoken"},
    {"kind": "short_token", "path": r"^/token\?.*expiring", "seconds": 1},
]
STANDALONE_AUTH = ("alice", "wonderland", r"^/v2/(private|badtoken|expiring)/")


def error_body(status, message=""):
    """A distribution error body for `status`."""
    return json.dumps({"errors": [{"code": ERROR_CODES.get(status, "UNAVAILABLE"),
                                   "message": message or "HTTP %d" % status}]}).encode()


def answer(h, status, data=b"", headers=None, length=None):
    """Sends one response: `headers` less the hop-by-hop ones, Content-Length `length` (default
    len(data)), and the body unless the request was HEAD."""
    h.send_response(status)
    for k, v in (headers or {}).items():
        if k.lower() not in HOP_BY_HOP:
            h.send_header(k, v)
    h.send_header("Content-Length", str(len(data) if length is None else length))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(data)


def hang_up(h):
    """Closes the connection now, whatever the client still expects."""
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """Hands every request to its server's FakeRegistry (the `registry` of a subclass)."""
    protocol_version = "HTTP/1.1"
    registry = None

    def log_message(self, *args):
        pass

    def handle_any(self):
        try:
            self.registry.handle(self)
        except OSError:  # broken pipe, reset, timeout
            self.close_connection = True  # the client gave up (timeout, size limit)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class FakeRegistry:
    """One registry double (see the module docstring); upstream=None: standalone."""

    def __init__(self, upstream=None, tls=None):
        self.upstream = upstream
        self.tls = tls  # (cert, key, ca) or None
        self.lock = threading.Lock()
        self.requests = []
        self.tokens = {}
        self.stats = {"token": 0, "manifest": 0, "echo": 0}
        self.server = None
        self.port = None
        self.reset()

    # ---- control ------------------------------------------------------------------------------
    def reset(self):
        """Back to this mode's faults and authentication; no token valid any more."""
        standalone = self.upstream is None
        self.set_faults(STANDALONE_FAULTS if standalone else [])
        self.require_auth(*(STANDALONE_AUTH if standalone else (None, None)))
        with self.lock:
            self.tokens.clear()

    def set_faults(self, faults):
        with self.lock:
            self.faults = [dict(f) for f in faults]

    def require_auth(self, user, password, paths=r"^/v2/"):
        """Demands a token (the docker token flow) on `paths`; user None: no authentication."""
        self.auth = (user, password, re.compile(paths)) if user is not None else None

    def count(self):
        with self.lock:
            return len(self.requests)

    def listen(self):
        """Binds 127.0.0.1:<free port> (self.port), with TLS when asked."""
        handler = type("Handler", (Handler,), {"registry": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.tls[0], self.tls[1])
            ctx.load_verify_locations(self.tls[2])
            ctx.verify_mode = ssl.CERT_OPTIONAL
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        return self

    def start(self):
        """Listens and serves in a daemon thread."""
        self.listen()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def pick(self, path):
        """The first fault for `path` that is not used up (counted down), or None."""
        with self.lock:
            for f in self.faults:
                if f.get("count", -1) == 0 or not re.search(f.get("path", ""), path):
                    continue
                if f.get("count", -1) > 0:
                    f["count"] -= 1
                return f
        return None

    # ---- one request --------------------------------------------------------------------------
    def handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append((h.command, h.path))
        if h.path.startswith("/_net/"):
            return net_hook(self, h, body)
        if h.path == "/stats":
            with self.lock:
                stats = json.dumps(self.stats).encode()
            return answer(h, 200, stats, JSON)
        token_endpoint = self.auth is not None and h.path.startswith("/token")
        if self.auth and not token_endpoint and self.auth[2].search(h.path) and \
                not self.authorized(h):
            return self.challenge(h, "http://127.0.0.1:%d/token" % self.port)
        fault = self.pick(h.path) or {"kind": None}
        kind = fault["kind"]
        if kind == "status":
            retry = fault.get("retry_after", 1 if fault["status"] == 429 else None)
            return answer(h, fault["status"], error_body(fault["status"], "injected"),
                          dict(JSON, **({"Retry-After": str(retry)} if retry else {})))
        if kind == "drop":
            return hang_up(h)
        if kind == "redirect_loop":
            return answer(h, 302, b"", {"Location": h.path})
        if kind == "huge":
            pad = b"x" * fault.get("size", 8 << 20)
            return answer(h, 200, b'{"schemaVersion":2,"pad":"' + pad + b'"}',
                          {"Content-Type": OCI_MANIFEST})
        if kind == "body":
            return answer(h, 200, fault["body"].encode("latin-1"), {"Content-Type": fault["type"]})
        if kind == "challenge":
            m = re.search(fault["path"], h.path)
            return self.challenge(h, fault["realm"].format(m.group(0), *m.groups()))
        if kind == "stall":
            time.sleep(fault.get("seconds", 10))
        if token_endpoint:
            return self.token(h, fault)
        status, headers, data = self.forward(h, body) if self.upstream else self.store(h)
        if kind == "wrong_digest" and data:
            data = data[:-2] + (b" }" if data[-2:] != b" }" else b"}}")
        if kind == "lying_header":
            headers = {k: v for k, v in headers.items() if k.lower() != "docker-content-digest"}
            headers["Docker-Content-Digest"] = "sha256:" + "1" * 64
        if h.command == "HEAD":  # no body: the upstream's length stands
            length = [v for k, v in headers.items() if k.lower() == "content-length"]
            return answer(h, status, data, headers, length[0] if length else None)
        if kind == "truncate" and data:
            answer(h, status, data[: len(data) // 2], headers, len(data))
            return hang_up(h)
        return answer(h, status, data, headers)

    def forward(self, h, body):
        """Proxy mode: the upstream's (status, headers, body) for this request."""
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=30)
        headers = {k: v for k, v in h.headers.items()
                   if k.lower() not in ("host", "authorization", "connection")}
        conn.request(h.command, h.path, body=body or None, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def store(self, h):
        """Standalone: one OCI manifest under every repository and reference."""
        if h.command not in ("GET", "HEAD"):
            return 405, JSON, error_body(405)
        if h.path == "/v2/":
            return 200, JSON, b"{}"
        if not re.match(r"^/v2/.+/manifests/[^/]+$", h.path):
            return 404, JSON, error_body(404)
        with self.lock:
            self.stats["manifest"] += 1
        return 200, {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": DIGEST}, MANIFEST

    # ---- the docker token flow ----------------------------------------------------------------
    def challenge(self, h, realm):
        """401 with a Bearer challenge for the repository of the path."""
        m = re.match(r"^/v2/(.+?)/(manifests|blobs|tags)/", h.path)
        scope = ',scope="repository:%s:pull"' % m.group(1) if m else ""
        return answer(h, 401, error_body(401, "authentication required"), dict(JSON, **{
            "WWW-Authenticate": 'Bearer realm="%s",service="fake-registry"%s' % (realm, scope)}))

    def authorized(self, h):
        got = h.headers.get("Authorization", "")
        with self.lock:
            return got.startswith("Bearer ") and time.time() < self.tokens.get(got[7:], 0)

    def token(self, h, fault):
        """/token: HTTP Basic with the configured credentials buys a Bearer token."""
        with self.lock:
            self.stats["token"] += 1
        want = "Basic " + base64.b64encode(("%s:%s" % self.auth[:2]).encode()).decode()
        if h.headers.get("Authorization", "") != want:
            return answer(h, 401, error_body(401, "bad credentials"), JSON)
        if fault["kind"] == "bad_token":
            return answer(h, 200, json.dumps({"token": "not-a-valid-token"}).encode(), JSON)
        short = fault["kind"] == "short_token"
        life = fault.get("seconds", 1) if short else TOKEN_LIFE
        token = "fake-registry-token-" + secrets.token_hex(16)
        with self.lock:
            self.tokens[token] = time.time() + life
        reply = {"token": token, "access_token": token, "expires_in": life}
        if short:
            del reply["token"]
        return answer(h, 200, json.dumps(reply).encode(), JSON)


def net_hook(registry, h, body):
    """The /_net/ hooks for the HTTP client's tests (see the module docstring)."""
    url = urlsplit(h.path)
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    if url.path == "/_net/echo":
        with registry.lock:
            registry.stats["echo"] += 1
        peer = h.connection.getpeercert() if hasattr(h.connection, "getpeercert") else None
        cn = dict(x[0] for x in peer["subject"]).get("commonName", "") if peer else ""
        return answer(h, 200, json.dumps({
            "method": h.command, "path": h.path, "body": body.decode("utf-8", "replace"),
            "authorization": h.headers.get("Authorization", ""),
            "via": h.headers.get("Via", ""), "client_cn": cn}).encode(), JSON)
    if url.path == "/_net/redirect":
        return answer(h, int(q.get("status", 302)), b"", {"Location": q["to"]})
    if url.path == "/_net/big" and not q.get("chunked"):
        return answer(h, 200, b"x" * int(q["bytes"]))
    if url.path == "/_net/big":
        n = int(q["bytes"])
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for start in range(0, n, 65536):
            part = b"x" * min(65536, n - start)
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.write(b"0\r\n\r\n")
        h.close_connection = True
        return None
    if url.path == "/_net/deep":
        d = int(q["depth"])
        return answer(h, 200, b"[" * d + b"]" * d, JSON)
    return answer(h, 404, error_body(404), JSON)


def main():
    p = argparse.ArgumentParser(description="The tests' fake registry (see the module docstring).")
    p.add_argument("portfile", help="the listening port is written here (atomically)")
    p.add_argument("--tls", nargs=3, metavar=("CERT", "KEY", "CA"))
    p.add_argument("--upstream", type=int, metavar="PORT", help="proxy to 127.0.0.1:PORT")
    args = p.parse_args()
    registry = FakeRegistry(upstream=args.upstream, tls=args.tls).listen()
    with open(args.portfile + ".tmp", "w") as f:
        f.write(str(registry.port))
    os.rename(args.portfile + ".tmp", args.portfile)
    registry.server.serve_forever()


if __name__ == "__main__":
    main()
