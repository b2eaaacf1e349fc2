#!/usr/bin/env bash
# check-examples.sh SOURCE_ROOT: the Containerfile example stays consistent with the tree:
# every COPY source exists (except the admin's public key), policy.json is valid JSON that
# requires sigstore signatures for the repository registries.d enables attachments for, and the
# preset and `systemctl enable` name units that exist.
set -euo pipefail
root=$(readlink -f "$1")
cf=$root/packaging/Containerfile
ex=$root/packaging/examples
fail=0
while read -r src; do
  [[ $src == . || $src == packaging/examples/os-image.pub ]] && continue
  [[ -e $root/$src ]] || { echo "Failed: Containerfile copies '$src', which does not exist"; fail=1; }
done < <(grep -E '^COPY ' "$cf" | grep -v -- '--from=' | awk '{print $2}')
repo=$(/usr/bin/python3 - "$ex/policy.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
signed = [r for r, reqs in doc["transports"]["docker"].items()
          if any(q.get("type") == "sigstoreSigned" and q.get("keyPath") for q in reqs)]
if len(signed) != 1:
    sys.exit("Failed: policy.json must require sigstoreSigned for exactly one repository")
print(signed[0])
PY
) || { echo "$repo"; fail=1; }
if [[ -n $repo ]] && ! grep -qE "^  $repo:$" "$ex/os-images.yaml"; then
  echo "Failed: registries.d example does not configure '$repo'"; fail=1
fi
grep -qE '^    use-sigstore-attachments: true$' "$ex/os-images.yaml" ||
  { echo "Failed: registries.d example does not enable use-sigstore-attachments"; fail=1; }
units=$(sed -n 's/^enable //p' "$ex/80-imageswitch.preset"; grep -oE 'systemctl enable .*' "$cf" | cut -d' ' -f3-)
for u in $units; do
  [[ -e $root/systemd/$u || -e $root/systemd/$u.in ]] || { echo "Failed: unit '$u' does not exist"; fail=1; }
done
grep -q '^RUN bootc container lint$' "$cf" || { echo "Failed: Containerfile does not end with bootc container lint"; fail=1; }
[[ $fail -eq 0 ]] && echo "Containerfile example: sources present, policy signs '$repo', units exist"
exit $fail
