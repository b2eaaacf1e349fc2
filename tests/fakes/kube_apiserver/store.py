"""The fake API server's state: the objects (Nodes, Pods, PDBs, Leases, Events, the kubernetes
Endpoints), resourceVersions, the pending deletions and recreations of evicted pods, STATE.json
loading; and the Status body with the ApiError that carries it. Every access holds LOCK."""
import copy
import json
import threading
import time
import uuid

LOCK = threading.RLock()
STATE = {"nodes": {}, "pods": {}, "pdbs": [], "leases": {}, "events": [], "endpoints": {},
         "evictions": [], "options": {}}
RV = [1000]


def next_rv():
    RV[0] += 1
    return str(RV[0])


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def status_body(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.body = code, status_body(code, reason, message, details)


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def pod_key(ns, name):
    return ns + "/" + name


def advance():
    """Carries out pending deletions and recreations that are due."""
    now = time.time()
    for key, pod in list(STATE["pods"].items()):
        fake = pod.get("x-fake", {})
        due = fake.get("_delete_at")
        if due is not None and due <= now:
            del STATE["pods"][key]
            if fake.get("recreate"):
                new = copy.deepcopy(pod)
                new["metadata"].pop("deletionTimestamp", None)
                new["metadata"]["uid"] = str(uuid.uuid4())
                new["metadata"]["resourceVersion"] = next_rv()
                new["x-fake"] = {k: v for k, v in fake.items() if not k.startswith("_")}
                new["x-fake"]["recreate"] = False
                STATE["pods"][key] = new
    for pdb in STATE["pdbs"]:
        first = pdb.get("_first_refusal")
        if first is not None and "blocked_for_s" in pdb and now - first >= pdb["blocked_for_s"]:
            pdb["disruptionsAllowed"] = max(pdb.get("disruptionsAllowed", 0), 1)
            del pdb["blocked_for_s"]


def public(obj):
    return {k: v for k, v in obj.items() if k != "x-fake"}


def load_state(path):
    with open(path) as f:
        data = json.load(f)
    for n in data.get("nodes", []):
        n["metadata"].setdefault("resourceVersion", next_rv())
        n["metadata"].setdefault("uid", str(uuid.uuid4()))
        STATE["nodes"][n["metadata"]["name"]] = n
    for p in data.get("pods", []):
        p["metadata"].setdefault("uid", str(uuid.uuid4()))
        p["metadata"].setdefault("resourceVersion", next_rv())
        p.setdefault("status", {}).setdefault("phase", "Running")
        STATE["pods"][pod_key(p["metadata"]["namespace"], p["metadata"]["name"])] = p
    for lease_obj in data.get("leases", []):
        meta = lease_obj["metadata"]
        meta.setdefault("resourceVersion", next_rv())
        STATE["leases"][meta["namespace"] + "/" + meta["name"]] = lease_obj
    STATE["pdbs"] = data.get("pdbs", [])
    STATE["endpoints"] = data.get("endpoints", {})
    STATE["options"] = data.get("options", {})
