"""Who may do what in the fake API server: the Node authorizer (Kubernetes >= 1.34: a node reads
only its own Node and lists only its own pods), NodeRestriction admission (a node's own Node
update, pod eviction, node Leases) and the RBAC grants of TOKENS.json users. Each check raises
ApiError with the real 403 Status."""
from .store import ApiError

NODE_LABEL_OK = ("kubelet.kubernetes.io/", "node.kubernetes.io/")


def forbidden(user, verb, resource, name, why, group="", namespace=None):
    scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    kind = resource + ("." + group if group else "")
    message = '%s "%s" is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s: %s' % (
        kind, name, user, verb, resource, group, scope, why)
    return ApiError(403, "Forbidden", message, {"name": name, "kind": resource})


def node_name_of(ident):
    if "system:nodes" in ident.get("groups", []) and ident["user"].startswith("system:node:"):
        return ident["user"][len("system:node:"):]
    return None


def granted(ident, resource, namespace):
    return any(g.get("resource") == resource and g.get("namespace") in (namespace, "*")
               for g in ident.get("grants", []))


def authorize_node(user, node, verb, name):
    """Node authorizer: a node may get and patch its own Node only."""
    if node is None or name != node or verb not in ("get", "patch"):
        raise forbidden(user, verb, "nodes", name, "node '%s' can only %s its own Node" % (node, verb))


def authorize_pod_list(user, node, selector):
    """Node authorizer: a node may list pods only with the field selector of its own name."""
    if node is None or selector != "spec.nodeName=" + node:
        raise forbidden(user, "list", "pods", "", "can only list pods with fieldSelector "
                        "spec.nodeName=<own node>")


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


def admit_eviction(pod, node, name):
    """NodeRestriction for a node evicting a pod: only pods bound to itself."""
    if pod["spec"].get("nodeName") != node:
        raise ApiError(403, "Forbidden", 'pods "%s" is forbidden: node "%s" can only evict pods '
                       'with spec.nodeName set to itself' % (name, node),
                       {"name": name, "kind": "pods"})


def authorize_lease(ident, node, verb, ns, target):
    """Leases: a node only its own in kube-node-lease (Node authorizer + NodeRestriction
    admitLease); any other user as its RBAC grants say."""
    user = ident["user"]
    if node is not None:
        if ns != "kube-node-lease":
            raise forbidden(user, verb, "leases", target, 'can only access leases in the '
                            '"kube-node-lease" system namespace', "coordination.k8s.io", ns)
        if target != node:
            raise forbidden(user, verb, "leases", target, "can only access node lease with the "
                            "same name as the requesting node", "coordination.k8s.io", ns)
    elif not granted(ident, "leases", ns):
        raise forbidden(user, verb, "leases", target, "no RBAC rule", "coordination.k8s.io", ns)
