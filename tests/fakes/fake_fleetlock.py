#!/usr/bin/python3
"""A tiny FleetLock server (Zincati's protocol, like airlock) for imageswitch tests.

CLI: fake_fleetlock.py --slots N [--group default] --port-file FILE --log FILE
  POST /v1/pre-reboot   {"client_params": {"id", "group"}} -> 200 when the id holds or gets a
                        slot; 409 {"kind": "failed_lock", "value": …} when all slots are held
  POST /v1/steady-state -> 200 (releases the id's slot if held)
  Requests without header "fleet-lock-protocol: true", with a bad body or an unknown group get
  400 {"kind": "bad_request", "value": …}. Every request is logged as one JSON line:
  {"path", "status", "ts" (Unix seconds), "id" (client id or null), "holders" (after it)}.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer

from fakelib import JsonHandler

LOCK = threading.Lock()
HOLDERS = []
ARGS = None


class Handler(JsonHandler):
    def answer(self, code, body):
        self.send_json(code, body)
        with open(ARGS.log, "a") as log:
            log.write(json.dumps({"path": self.path, "status": code, "ts": time.time(),
                                  "id": self.client_id, "holders": list(HOLDERS)}) + "\n")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.client_id = None
        if self.headers.get("fleet-lock-protocol") != "true":
            return self.answer(400, {"kind": "bad_request", "value": "missing fleet-lock-protocol header"})
        try:
            params = json.loads(raw)["client_params"]
            node_id, group = params["id"], params["group"]
            self.client_id = node_id
        except (ValueError, KeyError, TypeError):
            return self.answer(400, {"kind": "bad_request", "value": "malformed client_params"})
        if group != ARGS.group:
            return self.answer(400, {"kind": "bad_request", "value": "unknown group %r" % group})
        with LOCK:
            if self.path == "/v1/pre-reboot":
                if node_id in HOLDERS or len(HOLDERS) < ARGS.slots:
                    if node_id not in HOLDERS:
                        HOLDERS.append(node_id)
                    return self.answer(200, {})
                return self.answer(409, {"kind": "failed_lock", "value": "all %d slots held" % ARGS.slots})
            if self.path == "/v1/steady-state":
                if node_id in HOLDERS:
                    HOLDERS.remove(node_id)
                return self.answer(200, {})
        return self.answer(404, {"kind": "not_found", "value": self.path})


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--group", default="default")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    ARGS = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
