"""A fake kube-apiserver for imageswitch tests (stdlib only: http.server + ssl).

It serves exactly what the agent uses, with the real status codes and Status bodies, and it
authorizes like the Node authorizer + NodeRestriction admission (Kubernetes >= 1.34, where a node
may read only its own Node and list only its own pods).

CLI (the package directory is the program; __main__.py):
  python3 tests/fakes/kube_apiserver --cert SERVER.pem --key SERVER.key --client-ca CA.pem
                    --state STATE.json --log REQUESTS.log [--port 0] [--port-file FILE]
                    [--tokens TOKENS.json] [--faults FAULTS.json]

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

The modules:
  __main__.py  the CLI above
  server.py    HTTPS, the request handler (identity, injected faults, request log) and the
               control endpoints
  store.py     the state: objects, resourceVersions, pending deletions, STATE.json loading; the
               Status error body
  authz.py     the Node authorizer and NodeRestriction admission
  handlers.py  the routes and each endpoint's logic
  mco.py       is_node_done, the MCO's test that a node is updated (for the simulation)
Importing from the package: put tests/fakes on sys.path, then `from kube_apiserver.mco import
is_node_done`.

Control endpoints (no authentication, not logged; tests only):
  POST /_fake/faults  [{"method": "PATCH", "path": "^/api/v1/nodes/", "status": 409,
                        "count": 3, "delay_s": 0, "message": "...", "details": {...}}]
                       (status 0: delay only;
                        count -1: forever; replaces the list;
                        "raw": "text": answer exactly this body, with status or 200)
  POST /_fake/nodes   Node (replaces the node of that name)
  POST /_fake/pdbs    [PDB] (replaces the list; PDB "status_conflicts": N → the next N evictions
                       through it get 409 Conflict, as when eviction.go's PDB status update
                       keeps conflicting)
  POST /_fake/options {"partial_metadata": false} → ignore PartialObjectMetadata Accept headers
  GET  /_fake/state   {"nodes", "pods", "pdbs", "leases", "events", "evictions"}
"""
