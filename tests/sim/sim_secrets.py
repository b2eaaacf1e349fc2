#!/usr/bin/python3
"""Secrets never leak: the registry password (and its base64 auth string), the registry bearer
tokens, the Kubernetes bearer token and the kubelet client key must not appear in anything the
agent prints (stdout, stderr/journal lines of run, status, status --json, check) or writes
(state_dir, runtime_dir), on success and on authentication failures."""
import base64
import json

from simtest import ANN, case, check, drive, assert_done, run

PASSWORD = "Regi$try-Pa55word-7f3a91"


def secrets_of(node):
    out = list(node.secrets) + sorted(node.proxy.tokens)
    return [s for s in out if s]


def assert_no_leak(node, extra=()):
    for args in (("status",), ("status", "--json"), ("check",), ("check", node.ref("v2"))):
        node.run_agent(*args)
    haystacks = {"agent output": node.transcript}
    haystacks.update(node.agent_files())
    secrets = secrets_of(node) + list(extra)
    check(len(secrets) >= 3, "too few secrets to look for", secrets)
    for where, text in haystacks.items():
        for s in secrets:
            check(s not in text, "secret %s… found in %s" % (s[:6], where))
            if len(s) > 24:  # also a long enough fragment (e.g. a wrapped or cut key line)
                check(s[4:24] not in text, "secret fragment %s… found in %s" % (s[4:10], where))


@case(kube_auth="token")
def update_with_registry_password_and_kube_token(node):
    node.set_registry_auth("sim-user", PASSWORD)
    runs = drive(node)
    check(runs[-1][0] == 0, "no convergence", runs[-1][2])
    assert_done(node, "v2")
    check(node.proxy.tokens, "the registry token flow was not used")
    users = {r["user"] for r in node.api_log()}
    check(users == {"system:node:worker-0"}, "API identity", users)
    assert_no_leak(node, [PASSWORD])


@case()
def update_with_client_certificate(node):
    node.set_registry_auth("sim-user", PASSWORD)
    drive(node)
    assert_done(node, "v2")
    with open(node.path("pki", "kube", "node-worker-0.key")) as f:
        key_lines = [l for l in f.read().splitlines() if l and not l.startswith("-----")]
    assert_no_leak(node, key_lines)


@case(kube_auth="token")
def failures_do_not_leak_credentials(node):
    node.set_registry_auth("sim-user", PASSWORD)
    wrong = "Wr0ng-Pa55word-c0ffee"
    wrong_auth = base64.b64encode(("sim-user:" + wrong).encode()).decode()
    with open(node.path("etc", "auth.json"), "w") as f:
        json.dump({"auths": {node.host_port: {"auth": wrong_auth}}}, f)
    rc, _, err = node.run_agent()
    check(rc == 1 and "authenticat" in err, "wrong password not refused", err)
    node.api_faults([{"path": "^/api/v1/nodes/", "status": 401, "count": -1}])
    rc, _, err = node.run_agent()
    check(rc == 75 and "401" in err, "token not refused", err)
    node.api_faults([])
    check(ANN + "reason" in node.annotations(), "no reason reported")
    assert_no_leak(node, [wrong, wrong_auth, PASSWORD])


if __name__ == "__main__":
    run()
