#!/usr/bin/python3
"""The fake kube-apiserver's model and rules: objects, Node authorizer + NodeRestriction checks
and the handlers of each endpoint. Served over HTTPS by fake_apiserver.py (see its CLI)."""
import copy
import json
import re
import threading
import time
import urllib.parse
import uuid

LOCK = threading.RLock()
STATE = {"nodes": {}, "pods": {}, "pdbs": [], "leases": {}, "events": [], "endpoints": {},
         "evictions": [], "options": {}}
RV = [1000]
NODE_LABEL_OK = ("kubelet.kubernetes.io/", "node.kubernetes.io/")


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


def forbidden(user, verb, resource, name, why, group="", namespace=None):
    scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    kind = resource + ("." + group if group else "")
    message = '%s "%s" is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s: %s' % (
        kind, name, user, verb, resource, group, scope, why)
    return ApiError(403, "Forbidden", message, {"name": name, "kind": resource})


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


def node_name_of(ident):
    if "system:nodes" in ident.get("groups", []) and ident["user"].startswith("system:node:"):
        return ident["user"][len("system:node:"):]
    return None


def granted(ident, resource, namespace):
    return any(g.get("resource") == resource and g.get("namespace") in (namespace, "*")
               for g in ident.get("grants", []))


# ---- routes --------------------------------------------------------------------------------

NODE = re.compile(r"^/api/v1/nodes/([^/]+)$")
PODS = re.compile(r"^/api/v1/pods$")
EVICT = re.compile(r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction$")
EVENTS = re.compile(r"^/api/v1/namespaces/([^/]+)/events$")
ENDPOINTS = re.compile(r"^/api/v1/namespaces/default/endpoints/kubernetes$")
LEASES = re.compile(r"^/apis/coordination\.k8s\.io/v1/namespaces/([^/]+)/leases(?:/([^/]+))?$")


def route(method, url, body, ident, headers):
    node = node_name_of(ident)
    user = ident["user"]
    path = urllib.parse.unquote(url.path)
    query = urllib.parse.parse_qs(url.query)
    m = NODE.match(path)
    if m:
        return node_object(method, m.group(1), body, node, user, headers)
    if PODS.match(path) and method == "GET":
        selector = query.get("fieldSelector", [""])[0]
        if node is None or selector != "spec.nodeName=" + node:
            raise forbidden(user, "list", "pods", "", "can only list pods with fieldSelector "
                            "spec.nodeName=<own node>")
        items = [public(p) for p in STATE["pods"].values() if p["spec"].get("nodeName") == node]
        return 200, {"kind": "PodList", "apiVersion": "v1",
                     "metadata": {"resourceVersion": str(RV[0])}, "items": items}
    m = EVICT.match(path)
    if m and method == "POST":
        return evict(m.group(1), m.group(2), body, node, user)
    m = EVENTS.match(path)
    if m and method == "POST" and node is not None:
        event = dict(body or {})
        event.setdefault("metadata", {})["resourceVersion"] = next_rv()
        STATE["events"].append(event)
        return 201, event
    if ENDPOINTS.match(path) and method == "GET" and node is not None:
        ips = STATE["endpoints"].get("kubernetes", [])
        return 200, {"kind": "Endpoints", "apiVersion": "v1",
                     "metadata": {"name": "kubernetes", "namespace": "default"},
                     "subsets": [{"addresses": [{"ip": ip} for ip in ips],
                                  "ports": [{"name": "https", "port": 6443}]}]}
    m = LEASES.match(path)
    if m:
        return lease(method, m.group(1), m.group(2), body, node, ident)
    verb = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete"}.get(method, method.lower())
    raise forbidden(user, verb, path, "", "no rule allows this request")


def node_object(method, name, body, node, user, headers):
    verb = {"GET": "get", "PATCH": "patch", "PUT": "update"}.get(method, method.lower())
    if node is None or name != node or verb not in ("get", "patch"):
        raise forbidden(user, verb, "nodes", name, "node '%s' can only %s its own Node" % (node, verb))
    current = STATE["nodes"].get(name)
    if current is None:
        raise ApiError(404, "NotFound", 'nodes "%s" not found' % name, {"name": name, "kind": "nodes"})
    if verb == "get":
        return 200, as_requested(current, headers)
    ctype = headers.get("Content-Type", "")
    if ctype not in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                       "format - accepted media types include: application/merge-patch+json")
    want_rv = ((body or {}).get("metadata") or {}).get("resourceVersion")
    if want_rv is not None and want_rv != current["metadata"]["resourceVersion"]:
        raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on nodes "%s": the object '
                       'has been modified; please apply your changes to the latest version and '
                       'try again' % name, {"name": name, "kind": "nodes"})
    updated = merge_patch(current, body or {})
    admit_node(current, updated, user, name)
    updated["metadata"]["resourceVersion"] = next_rv()
    STATE["nodes"][name] = updated
    return 200, updated


PARTIAL = "as=PartialObjectMetadata;g=meta.k8s.io;v=v1"


def as_requested(obj, headers):
    """Content negotiation of apiserver endpoints/handlers/response.go (transformObject): an
    Accept entry "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" gets the
    metadata only; STATE["options"]["partial_metadata"] = False plays a server ignoring it."""
    accept = (headers.get("Accept") or "").replace(" ", "")
    wanted = any(part.startswith("application/json;") and PARTIAL in part
                 for part in accept.split(","))
    if not wanted or not STATE["options"].get("partial_metadata", True):
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": copy.deepcopy(obj["metadata"])}


def admit_node(old, new, user, name):
    """NodeRestriction for a node updating its own Node."""
    def deny(why):
        return ApiError(403, "Forbidden", 'nodes "%s" is forbidden: %s' % (name, why),
                        {"name": name, "kind": "nodes"})
    if old.get("spec", {}).get("taints") != new.get("spec", {}).get("taints"):
        raise deny('node "%s" is not allowed to modify taints' % name)
    if old["metadata"].get("ownerReferences") != new["metadata"].get("ownerReferences"):
        raise deny('node "%s" is not allowed to modify ownerReferences' % name)
    old_labels, new_labels = old["metadata"].get("labels", {}), new["metadata"].get("labels", {})
    for key in set(old_labels) | set(new_labels):
        if old_labels.get(key) == new_labels.get(key):
            continue
        domain = key.split("/")[0] if "/" in key else ""
        restricted = domain.endswith("kubernetes.io") or domain.endswith("k8s.io")
        if restricted and not key.startswith(NODE_LABEL_OK):
            raise deny('is not allowed to modify labels: %s' % key)


def evict(ns, name, body, node, user):
    if node is None:
        raise forbidden(user, "create", "pods/eviction", name, "not a node", namespace=ns)
    pod = STATE["pods"].get(pod_key(ns, name))
    if pod is None:
        raise ApiError(404, "NotFound", 'pods "%s" not found' % name, {"name": name, "kind": "pods"})
    if pod["spec"].get("nodeName") != node:
        raise ApiError(403, "Forbidden", 'pods "%s" is forbidden: node "%s" can only evict pods '
                       'with spec.nodeName set to itself' % (name, node),
                       {"name": name, "kind": "pods"})
    if (body or {}).get("kind") != "Eviction" or (body or {}).get("apiVersion") != "policy/v1":
        raise ApiError(400, "BadRequest", "expected a policy/v1 Eviction")
    options = body.get("deleteOptions") or {}
    want_uid = (options.get("preconditions") or {}).get("uid")
    if want_uid and want_uid != pod["metadata"]["uid"]:
        raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in "
                       "object meta: %s" % (want_uid, pod["metadata"]["uid"]))
    if can_ignore_pdb(pod):  # eviction.go: canIgnorePDB → plain delete, no PDB check
        if pod["metadata"].get("deletionTimestamp"):
            return 201, {"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 201}
    else:
        check_pdbs(ns, pod)
    fake = pod.setdefault("x-fake", {})
    STATE["evictions"].append({"pod": pod_key(ns, name), "uid": pod["metadata"]["uid"],
                               "gracePeriodSeconds": options.get("gracePeriodSeconds")})
    fake["_delete_at"] = time.time() + fake.get("terminate_after_s", 0)
    pod["metadata"]["deletionTimestamp"] = now_iso()
    pod["metadata"]["resourceVersion"] = next_rv()
    advance()
    return 201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                 "code": 201}


def can_ignore_pdb(pod):
    """eviction.go canIgnorePDB: Succeeded, Failed, Pending or already terminating pods."""
    return (pod.get("status", {}).get("phase") in ("Succeeded", "Failed", "Pending")
            or bool(pod["metadata"].get("deletionTimestamp")))


def check_pdbs(ns, pod):
    """The PDB part of eviction.go Create: 500 for several PDBs, 429 when none is allowed, 409
    when the PDB status update keeps conflicting (RetryOnConflict gave up; PDB field
    "status_conflicts": how many evictions get that answer)."""
    labels = pod["metadata"].get("labels", {})
    pdbs = [p for p in STATE["pdbs"] if p["namespace"] == ns and
            all(labels.get(k) == v for k, v in p.get("matchLabels", {}).items())]
    if len(pdbs) > 1:
        raise ApiError(500, "InternalError", "This pod has more than one PodDisruptionBudget, "
                       "which the eviction subresource does not support.")
    if not pdbs:
        return
    pdb = pdbs[0]
    if pdb.get("disruptionsAllowed", 0) <= 0:
        pdb.setdefault("_first_refusal", time.time())
        raise ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the "
                       "pod's disruption budget.", {"causes": [{
                           "reason": "DisruptionBudget",
                           "message": "The disruption budget %s needs 1 healthy pods and has "
                                      "1 currently" % pdb["name"]}]})
    if pdb.get("status_conflicts", 0) > 0:
        pdb["status_conflicts"] -= 1
        raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on poddisruptionbudgets.'
                       'policy "%s": the object has been modified; please apply your changes to '
                       'the latest version and try again' % pdb["name"],
                       {"name": pdb["name"], "group": "policy", "kind": "poddisruptionbudgets"})
    pdb["disruptionsAllowed"] -= 1


def lease(method, ns, name, body, node, ident):
    verb = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
            "DELETE": "delete"}.get(method, "unknown")
    target = name if method != "POST" else ((body or {}).get("metadata") or {}).get("name", "")
    user = ident["user"]
    if node is not None:  # Node authorizer + NodeRestriction admitLease
        if ns != "kube-node-lease":
            raise forbidden(user, verb, "leases", target, 'can only access leases in the '
                            '"kube-node-lease" system namespace', "coordination.k8s.io", ns)
        if target != node:
            raise forbidden(user, verb, "leases", target, "can only access node lease with the "
                            "same name as the requesting node", "coordination.k8s.io", ns)
    elif not granted(ident, "leases", ns):
        raise forbidden(user, verb, "leases", target, "no RBAC rule", "coordination.k8s.io", ns)
    key = ns + "/" + (target or "")
    current = STATE["leases"].get(key)
    not_found = ApiError(404, "NotFound", 'leases.coordination.k8s.io "%s" not found' % target,
                         {"name": target, "group": "coordination.k8s.io", "kind": "leases"})
    if method == "GET" and name:
        if current is None:
            raise not_found
        return 200, current
    if method == "POST" and not name:
        if current is not None:
            raise ApiError(409, "AlreadyExists", 'leases.coordination.k8s.io "%s" already exists'
                           % target, {"name": target, "kind": "leases"})
        obj = copy.deepcopy(body)
        obj["metadata"]["namespace"] = ns
        obj["metadata"]["resourceVersion"] = next_rv()
        obj["metadata"]["uid"] = str(uuid.uuid4())
        STATE["leases"][key] = obj
        return 201, obj
    if method == "PUT" and name:
        if current is None:
            raise not_found
        if (body.get("metadata") or {}).get("resourceVersion") != current["metadata"]["resourceVersion"]:
            raise ApiError(409, "Conflict", 'Operation cannot be fulfilled on leases.coordination.'
                           'k8s.io "%s": the object has been modified; please apply your changes '
                           'to the latest version and try again' % name)
        obj = copy.deepcopy(body)
        obj["metadata"]["resourceVersion"] = next_rv()
        STATE["leases"][key] = obj
        return 200, obj
    if method == "DELETE" and name:
        if current is None:
            raise not_found
        del STATE["leases"][key]
        return 200, status_body(200, "", "")
    raise ApiError(405, "MethodNotAllowed", "the server does not allow this method")


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


def is_node_done(node):
    """The MCO's test that a node is updated (machine-config-operator
    pkg/controller/common/layered_node_state.go isNodeDone): currentConfig == desiredConfig (both
    non-empty), the image annotations equal (or both absent) and state == Done."""
    ann = node.get("metadata", {}).get("annotations") or {}
    prefix = "machineconfiguration.openshift.io/"
    current, desired = ann.get(prefix + "currentConfig"), ann.get(prefix + "desiredConfig")
    if not current or not desired or current != desired:
        return False
    if prefix + "desiredImage" in ann or prefix + "currentImage" in ann:
        image, want = ann.get(prefix + "currentImage", ""), ann.get(prefix + "desiredImage", "")
        if not image or not want or image != want:
            return False
    return ann.get(prefix + "state") == "Done"
