"""The fake API server's endpoints: route() matches a request to its handler (Node get/patch,
pod list, eviction with its PDB checks, Events, the kubernetes Endpoints, Leases) and answers
(code, body) or raises ApiError. Called with store.LOCK held."""
import copy
import re
import time
import urllib.parse
import uuid

from .authz import (admit_eviction, admit_node, authorize_lease, authorize_node,
                    authorize_pod_list, forbidden, node_name_of)
from .store import (RV, STATE, ApiError, advance, merge_patch, next_rv, now_iso, pod_key, public,
                    status_body)


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
        authorize_pod_list(user, node, query.get("fieldSelector", [""])[0])
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
    authorize_node(user, node, verb, name)
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


def evict(ns, name, body, node, user):
    if node is None:
        raise forbidden(user, "create", "pods/eviction", name, "not a node", namespace=ns)
    pod = STATE["pods"].get(pod_key(ns, name))
    if pod is None:
        raise ApiError(404, "NotFound", 'pods "%s" not found' % name, {"name": name, "kind": "pods"})
    admit_eviction(pod, node, name)
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
    authorize_lease(ident, node, verb, ns, target)
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

