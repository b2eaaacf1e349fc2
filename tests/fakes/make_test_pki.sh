#!/bin/sh
# Makes a throw-away PKI for the fake API server in DIR: ca.pem/ca.key, server.pem/server.key
# (SAN 127.0.0.1, ::1, localhost) and one client certificate per node NAME given
# (node-NAME.pem/.key, CN=system:node:NAME, O=system:nodes), plus other.pem/.key (CN=intruder).
# Usage: make_test_pki.sh DIR NODE...
set -eu
dir=$1; shift
mkdir -p "$dir"; cd "$dir"
ossl() { openssl "$@" >/dev/null 2>&1; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=fake-kube-ca" -keyout ca.key -out ca.pem
sign() {  # name subject [ext]
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr"
  if [ -n "${3:-}" ]; then printf '%s\n' "$3" > "$1.ext"; else : > "$1.ext"; fi
  ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out "$1.pem" -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
sign server "/CN=fake-kube-apiserver" "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"
for node in "$@"; do sign "node-$node" "/O=system:nodes/CN=system:node:$node"; done
sign other "/CN=intruder"
