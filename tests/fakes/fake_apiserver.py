#!/usr/bin/python3
"""A fake kube-apiserver for imageswitch tests (stdlib only: http.server + ssl).

It serves exactly what the agent uses, with the real status codes and Status bodies, and it
authorizes like the Node authorizer + NodeRestriction admission (Kubernetes >= 1.34, where a node
may read only its own Node and list only its own pods).

CLI:
  fake_apiserver.py --cert SERVER.pem --key SERVER.key --client-ca CA.pem --state STATE.json
                    --log REQUESTS.log [--port 0] [--port-file FILE] [--tokens TOKENS.json]
                    [--faults FAULTS.json]

  --port 0 picks a free port on 127.0.0.1; the port is written to --port-file once listening.
  STATE.json  {"nodes": [Node], "pods": [Pod], "pdbs": [PDB], "leases": [Lease],
               "endpoints": {"kubernetes": ["10.0.0.1"]}}
     Pod may carry "x-fake": {"terminate_after_s": 2.0, "recreate": true} (deleted that long
     after its eviction; then recreated by a "controller" with the same name and a new UID).
     PDB: {"namespace", "name", "matchLabels": {...}, "disruptionsAllowed": 0,
           "blocked_for_s": 1.5, "status_conflicts": 0}  (blocked_for_s: becomes 1 that long
           after its first refusal; status_conflicts: see /_fake/pdbs)
     "options": {"partial_metadata": true}
  TOKENS.json {"<token>": {"user": "system:node:n1", "groups": ["system:nodes"]},
               "<token>": {"user": "ops", "groups": [], "grants": [{"resource": "leases",
                                                                   "namespace": "x"}]}}
     Client certificates (signed by CA.pem) give user = CN, groups = O.
  REQUESTS.log  one JSON line per API request: {"method", "path", "status", "user", "ts",
                "bytes", "accept", "received"} (ts: Unix time in seconds, float, when the answer was
                ready; received: when the request arrived; bytes: the response body's size);
                requests answered with a Node also carry "unschedulable": its
                spec.unschedulable (bool), with a Lease "holder": its spec.holderIdentity.

  FAULTS.json   the same list as POST /_fake/faults; re-read whenever the file changes (for
                shell-driven simulations that have no HTTPS client handy).

The objects and the authorization rules live in fake_kube_api.py.

Control endpoints (no authentication, not logged; tests only):
  POST /_fake/faults  [{"method": "PATCH", "path": "^/api/v1/nodes/", "status": 409,
                        "count": 3, "delay_s": 0, "message": "...", "details": {...}}]
                       (status 0: delay only;
                        count -1: forever; replaces the list)
  POST /_fake/nodes   Node (replaces the node of that name)
  POST /_fake/pdbs    [PDB] (replaces the list; PDB "status_conflicts": N → the next N evictions
                       through it get 409 Conflict, as when eviction.go's PDB status update
                       keeps conflicting)
  POST /_fake/options {"partial_metadata": false} → ignore PartialObjectMetadata Accept headers
  GET  /_fake/state   {"nodes", "pods", "pdbs", "leases", "events", "evictions"}
"""
import argparse
import json
import os
import re
import ssl
import sys
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # keep the source tree clean
from fake_kube_api import (LOCK, STATE, ApiError, advance, load_state, next_rv, public,  # noqa: E402
                           route, status_body)

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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # quiet
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

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
                 "bytes": len(json.dumps(answer)),
                 "accept": self.headers.get("Accept", "")}
        if isinstance(answer, dict) and answer.get("kind") == "Node":
            entry["unschedulable"] = bool(answer.get("spec", {}).get("unschedulable", False))
        if isinstance(answer, dict) and answer.get("kind") == "Lease":  # for bench/fleet.py
            entry["holder"] = (answer.get("spec") or {}).get("holderIdentity") or ""
        entry["bytes"] = len(json.dumps(answer).encode())  # response body size, as sent
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
        self.send_json(code, answer)

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


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for flag in ("--cert", "--key", "--client-ca", "--state", "--log"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--tokens")
    parser.add_argument("--faults")
    ARGS = parser.parse_args()
    load_state(ARGS.state)
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


if __name__ == "__main__":
    sys.exit(main())
