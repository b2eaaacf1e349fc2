#!/usr/bin/python3
"""The simulated node's registry side: Debian's real docker-registry behind the fault-injecting
fake registry in proxy mode (tests/fakes/fake_registry.py), the signed test images, the trust
files (policy.json, registries.conf/.d, auth)."""
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

from simbase import *  # noqa: F401,F403

sys.path.insert(0, FAKES)
from fake_registry import FakeRegistry  # noqa: E402


class RegistryMixin:
    """Mixed into simnode.Node: uses its path(), spawn() and temp dir."""

    # ---- registry, images, signatures ---------------------------------------------------------
    def start_registry(self, htpasswd=None):
        self.registry_port = free_port()
        conf = self.path("registry", "config.yml")
        write(conf, """version: 0.1
log: {level: info, formatter: text, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}
http: {addr: "127.0.0.1:%d", secret: sim}
""" % (self.path("registry", "data"), self.registry_port))
        self.spawn("registry", ["/usr/bin/docker-registry", "serve", conf])
        wait_for(lambda: self.http_ok("http://127.0.0.1:%d/v2/" % self.registry_port),
                 what="docker-registry")
        self.proxy = FakeRegistry(upstream=self.registry_port).start()
        self.host_port = "127.0.0.1:%d" % self.proxy.port

    @staticmethod
    def http_ok(url):
        try:
            return NOPROXY.open(url, timeout=2).status == 200
        except Exception:
            return False

    def reg(self, method, path, data=None, headers=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.registry_port, path),
                                     data=data, method=method, headers=headers or {})
        with NOPROXY.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()

    def push_blob(self, data):
        digest = sha256(data)
        _, headers, _ = self.reg("POST", "/v2/%s/blobs/uploads/" % REPO)
        loc = headers["Location"]
        loc = loc.split("127.0.0.1:%d" % self.registry_port, 1)[-1]
        sep = "&" if "?" in loc else "?"
        self.reg("PUT", loc + sep + "digest=" + digest, data,
                 {"Content-Type": "application/octet-stream"})
        return digest

    def push_manifest(self, ref, manifest):
        body = json.dumps(manifest, separators=(",", ":")).encode()
        self.reg("PUT", "/v2/%s/manifests/%s" % (REPO, ref), body,
                 {"Content-Type": manifest["mediaType"]})
        return sha256(body), body

    def push_image(self, tag):
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "config": {"Labels": {"sim.tag": tag}}, "rootfs": {
                                 "type": "layers", "diff_ids": []}}).encode()
        layer = ("ostree commit for %s\n" % tag).encode() * 64
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": self.push_blob(config), "size": len(config)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                "digest": self.push_blob(layer), "size": len(layer)}]}
        digest, _ = self.push_manifest(tag, manifest)
        self.images[tag] = digest
        return digest

    def sign(self, tag, key):
        digest = self.images[tag]
        payload = json.dumps({"critical": {
            "identity": {"docker-reference": "%s/%s:%s" % (self.host_port, REPO, tag)},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature"}, "optional": None}).encode()
        write(self.path("pki", "payload"), payload.decode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, self.path("pki", "payload")],
                             check=True, capture_output=True).stdout
        config = b"{}"
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": self.push_blob(config), "size": len(config)},
                    "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                                "digest": self.push_blob(payload), "size": len(payload),
                                "annotations": {"dev.cosignproject.cosign/signature":
                                                base64.b64encode(sig).decode()}}]}
        self.push_manifest(digest.replace(":", "-") + ".sig", manifest)

    def make_key(self, name):
        key = self.path("pki", name + ".key")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                        key], check=True, capture_output=True)
        subprocess.run(["openssl", "ec", "-in", key, "-pubout", "-out",
                        self.path("pki", name + ".pub")], check=True, capture_output=True)
        return key

    def push_images(self):
        key = self.make_key("cosign")
        other = self.make_key("foreign")
        for tag in ("v1", "v2", "v3", "unsigned", "badsig"):
            self.push_image(tag)
        for tag in ("v1", "v2", "v3"):
            self.sign(tag, key)
        self.sign("badsig", other)

    def ref(self, tag):
        return "%s/%s:%s" % (self.host_port, REPO, tag)

    def pinned(self, tag):
        return "%s/%s@%s" % (self.host_port, REPO, self.images[tag])

    def write_trust_files(self):
        write(self.path("etc", "policy.json"), json.dumps({
            "default": [{"type": "reject"}],
            "transports": {"docker": {self.host_port: [{
                "type": "sigstoreSigned", "keyPath": self.path("pki", "cosign.pub"),
                "signedIdentity": {"type": "matchRepoDigestOrExact"}}]}}}, indent=1))
        write(self.path("etc", "registries.d", "sim.yaml"),
              "docker:\n  %s:\n    use-sigstore-attachments: true\n" % self.host_port)
        write(self.path("etc", "registries.conf"),
              '[[registry]]\nlocation = "%s"\ninsecure = true\n' % self.host_port)
        write(self.path("etc", "auth.json"), json.dumps({"auths": {}}), 0o600)

    def set_registry_auth(self, user, password):
        """Makes the proxy demand a bearer token for /v2/ (Basic credentials at /token); writes
        the auth file."""
        self.proxy.require_auth(user, password)
        auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        write(self.path("etc", "auth.json"),
              json.dumps({"auths": {self.host_port: {"auth": auth}}}), 0o600)
        self.secrets += [password, auth]

    # ---- API server ---------------------------------------------------------------------------
