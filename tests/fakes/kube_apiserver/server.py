"""The fake API server's HTTPS side: the TLS listener, the request handler (who is asking: client
certificate or bearer token; injected faults; the request log) and the control endpoints /_fake/*.
Each API request is answered by handlers.route under store.LOCK."""
import json
import os
import re
import ssl
import time
import urllib.parse
import uuid
from http.server import ThreadingHTTPServer

from fakelib import JsonHandler

from .handlers import route
from .store import LOCK, STATE, ApiError, advance, next_rv, public, status_body

FAULTS = []
ARGS = None
TOKENS = {}


def identity_of(handler):
    auth = handler.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        entry = TOKENS.get(auth[7:].strip())
        if entry:
            return entry
        return None
    cert = handler.connection.getpeercert() if hasattr(handler.connection, "getpeercert") else None
    if cert:
        cn, orgs = None, []
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    cn = value
                elif key == "organizationName":
                    orgs.append(value)
        if cn:
            return {"user": cn, "groups": orgs}
    return None


class Handler(JsonHandler):
    protocol_version = "HTTP/1.0"

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, "BadRequest", "the body is not valid JSON")

    def record(self, status, user, answer=None, received=None):
        now = time.time()
        entry = {"method": self.command, "path": self.path, "status": status, "user": user,
                 "ts": now, "time": now, "received": received or now,
                 "accept": self.headers.get("Accept", "")}
        if isinstance(answer, dict) and answer.get("kind") == "Node":
            entry["unschedulable"] = bool(answer.get("spec", {}).get("unschedulable", False))
        if isinstance(answer, dict) and answer.get("kind") == "Lease":  # for bench/fleet.py
            entry["holder"] = (answer.get("spec") or {}).get("holderIdentity") or ""
        # the response body's size, as sent
        entry["bytes"] = len(answer) if isinstance(answer, bytes) else len(json.dumps(answer).encode())
        with open(ARGS.log, "a") as log:
            log.write(json.dumps(entry) + "\n")

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_fake/"):
            return self.control(url.path)
        received = time.time()
        ident = identity_of(self)
        user = ident["user"] if ident else "system:anonymous"
        try:
            body = self.read_body()
            code, answer = self.faulted(url.path)
            if code is None:
                if ident is None:
                    raise ApiError(401, "Unauthorized", "Unauthorized")
                with LOCK:
                    advance()
                    code, answer = route(self.command, url, body, ident, self.headers)
        except ApiError as e:
            code, answer = e.code, e.body
        except Exception as e:  # a bug in the fake: answer 500 and say so in the log
            code, answer = 500, status_body(500, "InternalError", "fake bug: %r" % e)
        self.record(code, user, answer, received)
        if isinstance(answer, bytes):  # a "raw" fault: exactly these bytes
            return self.send_raw(code, answer)
        self.send_json(code, answer)

    def send_raw(self, code, data):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def faulted(self, path):
        with LOCK:
            reload_faults_file()
            for fault in FAULTS:
                if fault.get("count", 1) == 0:
                    continue
                if fault.get("method") and fault["method"] != self.command:
                    continue
                if not re.search(fault.get("path", ""), path):
                    continue
                if fault.get("count", 1) > 0:
                    fault["count"] = fault.get("count", 1) - 1
                delay, status = fault.get("delay_s", 0), fault.get("status", 0)
                break
            else:
                return None, None
        time.sleep(delay)
        if "raw" in fault:
            return status or 200, fault["raw"].encode()
        if not status:
            return None, None
        reasons = {401: "Unauthorized", 403: "Forbidden", 409: "Conflict",
                   429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable"}
        message = fault.get("message", "injected fault %d" % status)
        return status, status_body(status, reasons.get(status, "Unknown"), message,
                                   fault.get("details"))

    def control(self, path):
        body = self.read_body() if self.command == "POST" else None
        with LOCK:
            if path == "/_fake/faults":
                FAULTS[:] = body or []
            elif path == "/_fake/nodes":
                name = body["metadata"]["name"]
                old = STATE["nodes"].get(name, {"metadata": {"uid": str(uuid.uuid4())}})
                body["metadata"]["uid"] = old["metadata"]["uid"]
                body["metadata"]["resourceVersion"] = next_rv()
                STATE["nodes"][name] = body
            elif path == "/_fake/pdbs":
                STATE["pdbs"] = body or []
            elif path == "/_fake/options":
                STATE["options"].update(body or {})
            elif path == "/_fake/state":
                advance()
                return self.send_json(200, {
                    "nodes": list(STATE["nodes"].values()),
                    "pods": [public(p) for p in STATE["pods"].values()],
                    "pdbs": STATE["pdbs"], "leases": list(STATE["leases"].values()),
                    "events": STATE["events"], "evictions": STATE["evictions"]})
            else:
                return self.send_json(404, {})
        self.send_json(200, {})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


FAULTS_MTIME = [None]


def reload_faults_file():
    if not ARGS.faults:
        return
    try:
        mtime = os.stat(ARGS.faults).st_mtime_ns
    except FileNotFoundError:
        return
    if mtime != FAULTS_MTIME[0]:
        FAULTS_MTIME[0] = mtime
        with open(ARGS.faults) as f:
            FAULTS[:] = json.load(f)


def serve(args):
    """Serves HTTPS on 127.0.0.1 (args: the parsed CLI, see __init__.py) until interrupted."""
    global ARGS
    ARGS = args
    if ARGS.tokens:
        with open(ARGS.tokens) as f:
            TOKENS.update(json.load(f))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ARGS.cert, ARGS.key)
    context.load_verify_locations(ARGS.client_ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    server = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    if ARGS.port_file:
        with open(ARGS.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
