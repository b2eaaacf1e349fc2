"""The Machine Config Operator's view of a Node, for the node simulation (tests/sim/simtest.py):
is_node_done. Not used by the server itself."""


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
